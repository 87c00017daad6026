package service

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// statusEvery is how often an event stream sends the job's status.
const statusEvery = time.Second

// sse writes server-sent events to one client.
type sse struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func newSSE(w http.ResponseWriter) *sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return &sse{w: w, rc: http.NewResponseController(w)}
}

func (e *sse) send(name string, data []byte) error {
	if _, err := fmt.Fprintf(e.w, "event: %s\ndata: %s\n\n", name, data); err != nil {
		return err
	}
	return e.rc.Flush()
}

func (e *sse) sendJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.send(name, b)
}

// jobEvents streams a job's events: "status" (the job's Status) at once
// and every second, "item" for every page, style sheet and image as it
// completes, "end" when a run ends, "dropped" when this client fell behind
// and lost items.
func (s *Service) jobEvents(w http.ResponseWriter, r *http.Request, j *Job) {
	ch, unsubscribe := j.live.subscribe()
	defer unsubscribe()
	out := newSSE(w)
	if out.sendJSON("status", j.Status()) != nil {
		return
	}
	tick := time.NewTicker(statusEvery)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case msg := <-ch:
			err = out.send(msg.name, msg.data)
		case <-tick.C:
			err = out.sendJSON("status", j.Status())
		}
		if err != nil {
			return
		}
	}
}

// allEvents streams every job's status ("jobs", a list as GET /api/jobs
// gives it) every second, for the job list.
func (s *Service) allEvents(w http.ResponseWriter, r *http.Request) {
	out := newSSE(w)
	tick := time.NewTicker(statusEvery)
	defer tick.Stop()
	for {
		list := []Status{}
		for _, j := range s.mg.List() {
			st := j.Status()
			st.Hosts, st.Errs = nil, nil
			list = append(list, st)
		}
		if out.sendJSON("jobs", list) != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-tick.C:
		}
	}
}
