package store

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/store/imagetype"
)

func TestParseLayout(t *testing.T) {
	tests := []struct {
		name, in string
		want     Layout
		wantErr  bool
	}{
		{"mirror", "mirror", LayoutMirror, false},
		{"flat", "flat", LayoutFlat, false},
		{"hash", "hash", LayoutHash, false},
		{"case and spaces", " Hash ", LayoutHash, false},
		{"unknown", "tree", "", true},
		{"empty", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLayout(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("ParseLayout(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				msg := err.Error()
				if !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, `"`+tt.in+`"`) || !strings.Contains(msg, "mirror, flat or hash") {
					t.Errorf("error %q should name the bad value and the choices", msg)
				}
			}
		})
	}
}

func TestRelPath(t *testing.T) {
	sum := sha256.Sum256([]byte("image bytes"))
	hx := hex.EncodeToString(sum[:])
	tests := []struct {
		name   string
		layout Layout
		url    string
		cdName string
		ext    string
		want   string
	}{
		{"mirror basic", LayoutMirror, "http://Example.COM/a/b/photo.png", "", ".png", "example.com/a/b/photo.png"},
		{"zero layout is mirror", "", "http://h/a/photo.png", "", ".png", "h/a/photo.png"},
		{"port kept", LayoutMirror, "http://example.com:8080/x.png", "", ".png", "example.com_8080/x.png"},
		{"default https port dropped", LayoutMirror, "https://example.com:443/x.png", "", ".png", "example.com/x.png"},
		{"ipv6 host", LayoutMirror, "http://[::1]:8080/x.png", "", ".png", "__1_8080/x.png"},
		{"directory url", LayoutMirror, "http://h/gallery/", "", ".jpg", "h/gallery/index.jpg"},
		{"root url", LayoutMirror, "http://h", "", ".gif", "h/index.gif"},
		{"unknown type without ext", LayoutMirror, "http://h/pic", "", "", "h/pic"},
		{"query folded after script ext", LayoutMirror, "http://h/img.php?id=3&s=l", "", ".png", "h/img.php_id=3_s=l.png"},
		{"query folded before image ext", LayoutMirror, "http://h/photo.jpg?w=100&h=50", "", ".jpg", "h/photo_w=100_h=50.jpg"},
		{"query on directory", LayoutMirror, "http://h/img/?id=7", "", ".webp", "h/img/index_id=7.webp"},
		{"query decoded once, slash neutralized", LayoutMirror, "http://h/i.png?p=..%2F..%2Fx", "", ".png", "h/i_p=.._.._x.png"},
		{"empty query parts dropped", LayoutMirror, "http://h/i.png?&a=1&&", "", ".png", "h/i_a=1.png"},
		{"sniffed ext wins", LayoutMirror, "http://h/photo.jpg", "", ".png", "h/photo.png"},
		{"jpeg spelling kept", LayoutMirror, "http://h/photo.jpeg", "", ".jpg", "h/photo.jpeg"},
		{"ext case kept", LayoutMirror, "http://h/photo.JPG", "", ".jpg", "h/photo.JPG"},
		{"tif spelling kept", LayoutMirror, "http://h/scan.tif", "", ".tiff", "h/scan.tif"},
		{"non-image ext appended", LayoutMirror, "http://h/file.exe", "", ".png", "h/file.exe.png"},
		{"unknown type keeps url ext", LayoutMirror, "http://h/photo.jpg", "", "", "h/photo.jpg"},
		{"bad ext argument ignored", LayoutMirror, "http://h/photo.jpg", "", "/../x", "h/photo.jpg"},
		{"ext argument lowercased", LayoutMirror, "http://h/photo", "", ".PNG", "h/photo.png"},
		{"space decoded", LayoutMirror, "http://h/x%20y.png", "", ".png", "h/x y.png"},
		{"encoded slashes stay in one component", LayoutMirror, "http://h/..%2F..%2Fescape.png", "", ".png", "h/_._.._escape.png"},
		{"encoded dotdot folders dropped", LayoutMirror, "http://h/%2e%2e/%2E%2e/x.png", "", ".png", "h/x.png"},
		{"encoded dotdot file is index", LayoutMirror, "http://h/a/%2e%2e", "", ".png", "h/a/index.png"},
		{"literal dot folders dropped", LayoutMirror, "http://h/a/./b//x.png", "", ".png", "h/a/b/x.png"},
		{"backslash", LayoutMirror, `http://h/a\b.png`, "", ".png", "h/a_b.png"},
		{"reserved file name", LayoutMirror, "http://h/aux.png", "", ".png", "h/_aux.png"},
		{"reserved folder name", LayoutMirror, "http://h/con/x.png", "", ".png", "h/_con/x.png"},
		{"nul byte", LayoutMirror, "http://h/x%00.png", "", ".png", "h/x_.png"},
		{"dotfile", LayoutMirror, "http://h/.htaccess", "", "", "h/_htaccess"},
		{"dotfile with sniffed ext", LayoutMirror, "http://h/.htaccess", "", ".png", "h/_htaccess.png"},
		{"private folder", LayoutMirror, "http://h/.imgcrawl/state.db", "", "", "h/_imgcrawl/state.db"},
		{"private folder as host", LayoutMirror, "http://.imgcrawl/x.png", "", ".png", "_imgcrawl/x.png"},
		{"trailing dots and spaces", LayoutMirror, "http://h/dir.%20/x.png..", "", ".png", "h/dir/x.png"},
		{"cyrillic", LayoutMirror, "http://h/%D1%84%D0%BE%D1%82%D0%BE.jpg", "", ".jpg", "h/фото.jpg"},
		{"emoji", LayoutMirror, "http://h/%F0%9F%98%80/smile.png", "", ".png", "h/😀/smile.png"},
		{"invalid utf8 after decoding", LayoutMirror, "http://h/%FF%FE.png", "", ".png", "h/__.png"},
		{"opaque url", LayoutMirror, "http:foo/bar.png", "", ".png", "_/foo/bar.png"},
		{"name overrides segment and query", LayoutMirror, "http://h/dl.php?id=3", "photo.jpg", ".png", "h/photo.png"},
		{"hostile name", LayoutMirror, "http://h/dl", "../../etc/passwd", "", "h/_._.._etc_passwd"},
		{"flat", LayoutFlat, "http://h/a/b/photo.png", "", ".png", "photo.png"},
		{"flat query", LayoutFlat, "http://h/a/img.php?id=3", "", ".gif", "img.php_id=3.gif"},
		{"flat private name", LayoutFlat, "http://h/.imgcrawl", "", "", "_imgcrawl"},
		{"flat directory", LayoutFlat, "http://h/a/", "", ".svg", "index.svg"},
		{"flat name", LayoutFlat, "http://h/a/b", "cat.gif", ".gif", "cat.gif"},
		{"hash", LayoutHash, "http://h/a/photo.png", "", ".png", hx[:2] + "/" + hx[2:4] + "/" + hx + ".png"},
		{"hash unknown ext", LayoutHash, "http://h/a/photo.png", "x.png", "", hx[:2] + "/" + hx[2:4] + "/" + hx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got := relPath(tt.layout, u, tt.cdName, tt.ext, sum)
			if got != tt.want {
				t.Errorf("RelPath(%q, %q, %q, %q) = %q, want %q", tt.layout, tt.url, tt.cdName, tt.ext, got, tt.want)
			}
			checkRel(t, got)
		})
	}
}

func TestRelPathLong(t *testing.T) {
	tests := []struct {
		name, url string
		maxComps  int
	}{
		{"300-byte name", "http://h/" + strings.Repeat("n", 300) + ".png", 2},
		{"300-byte query", "http://h/i.png?q=" + strings.Repeat("q", 300), 2},
		{"300-byte folder", "http://h/" + strings.Repeat("d", 300) + "/x.png", 3},
		{"deep path", "http://h/" + strings.Repeat("d/", 100) + "x.png", maxDirs + 2},
		{"long folders", "http://h/" + strings.Repeat(strings.Repeat("e", 200)+"/", 10) + "x.png", maxDirs + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got := relPath(LayoutMirror, u, "", ".png", [32]byte{})
			checkRel(t, got)
			if !strings.HasSuffix(got, ".png") {
				t.Errorf("%q lost its extension", got)
			}
			comps := strings.Split(got, "/")
			if len(comps) > tt.maxComps {
				t.Errorf("%d components, want at most %d", len(comps), tt.maxComps)
			}
			if dir := got[:strings.LastIndexByte(got, '/')]; len(dir) > maxDirBytes+maxBytes {
				t.Errorf("folder part is %d bytes", len(dir))
			}
		})
	}
}

func TestRelPathDistinct(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"different query values", "http://h/a?b=1", "http://h/a?b=2", false},
		{"query vs none", "http://h/a.png", "http://h/a.png?v=2", false},
		{"folder vs folded slash", "http://h/a/b.png", "http://h/a%2Fb.png", false},
		{"long names with same prefix", "http://h/" + strings.Repeat("z", 300) + "1.png", "http://h/" + strings.Repeat("z", 300) + "2.png", false},
		{"deep paths differing at the end", "http://h/" + strings.Repeat("d/", 60) + "a/x.png", "http://h/" + strings.Repeat("d/", 60) + "b/x.png", false},
		{"hosts", "http://a.example/x.png", "http://b.example/x.png", false},
		{"ports", "http://h:8080/x.png", "http://h:8081/x.png", false},
		{"encoded space is a space", "http://h/x y.png", "http://h/x%20y.png", true},
		{"host case", "http://H/x.png", "http://h/x.png", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ua, err1 := url.Parse(tt.a)
			ub, err2 := url.Parse(tt.b)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			pa := relPath(LayoutMirror, ua, "", ".png", [32]byte{})
			pb := relPath(LayoutMirror, ub, "", ".png", [32]byte{})
			if (pa == pb) != tt.same {
				t.Errorf("RelPath gives %q and %q; want same=%v", pa, pb, tt.same)
			}
		})
	}
}

// checkRel fails t unless rel is a safe relative path under OUT.
func checkRel(t *testing.T, rel string) {
	t.Helper()
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		t.Errorf("%q is not local", rel)
	}
	if filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel))) != rel {
		t.Errorf("%q is not clean", rel)
	}
	for _, c := range strings.Split(rel, "/") {
		checkComponent(t, c)
	}
}

func TestRelPathExample(t *testing.T) {
	u, _ := url.Parse("https://Example.com:8443/gallery/img.php?id=3&size=large")
	sum := sha256.Sum256([]byte("the image bytes"))
	for l, want := range map[Layout]string{
		LayoutMirror: "example.com_8443/gallery/img.php_id=3_size=large.png",
		LayoutFlat:   "img.php_id=3_size=large.png",
		LayoutHash:   "c5/39/c53980f647856754734e0abf4e8ea02fa7797c3fe4d0921b3597bc2049bb5d5d.png",
	} {
		if got := relPath(l, u, "", ".png", sum); got != want {
			t.Errorf("relPath(%s) = %q, want %q", l, got, want)
		}
	}
}

// Every sniffed type's extension is one the layouts know, so a file is
// always named with the extension of its content.
func TestLayoutKnowsImageTypes(t *testing.T) {
	for _, it := range imagetype.Types() {
		if cleanExt(it.Ext) != it.Ext {
			t.Errorf("extension %s of %s is not clean", it.Ext, it.Name)
		}
		if extKinds[it.Ext] != it.Name {
			t.Errorf("extension %s of %s is not known to RelPath", it.Ext, it.Name)
		}
	}
}
