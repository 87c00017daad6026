package redis

import (
	"reflect"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

func TestItemEncoding(t *testing.T) {
	nb := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, tc := range []struct {
		name    string
		it      state.Item
		wantErr bool
	}{
		{"page", state.Item{URL: "http://h/", Kind: state.KindPage}, false},
		{"image with everything", state.Item{URL: "http://h/a.png", Kind: state.KindImage, Depth: 7, Page: "http://h/",
			Origin: "http://h/o.png", Hops: 3, Attempt: 2, NotBefore: nb}, false},
		{"unknown kind", state.Item{URL: "http://h/", Kind: 9}, true},
		{"negative depth", state.Item{URL: "http://h/", Kind: state.KindPage, Depth: -1}, true},
		{"depth too large", state.Item{URL: "http://h/", Kind: state.KindPage, Depth: maxDepth + 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			blob, err := encodeItem(tc.it)
			if (err != nil) != tc.wantErr {
				t.Fatalf("encode: %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			got, err := decodeItem(blob)
			if err != nil {
				t.Fatalf("decode %s: %v", blob, err)
			}
			if !got.NotBefore.Equal(tc.it.NotBefore) {
				t.Errorf("NotBefore = %v, want %v", got.NotBefore, tc.it.NotBefore)
			}
			got.NotBefore, tc.it.NotBefore = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tc.it) {
				t.Errorf("round trip = %+v, want %+v", got, tc.it)
			}
		})
	}
}

// FuzzItemDecode feeds arbitrary stored records to the decoder: it must
// not panic, and what it accepts must encode and decode to the same item.
func FuzzItemDecode(f *testing.F) {
	f.Add(`{"u":"http://h/","k":1}`)
	f.Add(`{"u":"http://h/a.png","k":2,"d":3,"p":"http://h/","a":1,"n":1700000000000000000}`)
	f.Add(`{"u":"","k":1}`)
	f.Add(`{"u":"http://h/","k":3}`)
	f.Add(`not json`)
	f.Fuzz(func(t *testing.T, blob string) {
		it, err := decodeItem(blob)
		if err != nil {
			return
		}
		again, err := encodeItem(it)
		if err != nil {
			return // a depth out of range is refused on the way in
		}
		back, err := decodeItem(again)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", again, err)
		}
		if !back.NotBefore.Equal(it.NotBefore) {
			t.Fatalf("NotBefore changed: %v -> %v", it.NotBefore, back.NotBefore)
		}
		back.NotBefore, it.NotBefore = time.Time{}, time.Time{}
		if !reflect.DeepEqual(back, it) {
			t.Fatalf("round trip changed %+v into %+v", it, back)
		}
	})
}
