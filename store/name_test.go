package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("a", 300) + ".png"
	tests := []struct {
		name, in, want string
	}{
		{"plain", "photo.png", "photo.png"},
		{"empty", "", "_"},
		{"dot", ".", "_"},
		{"dotdot", "..", "_"},
		{"many dots", "...", "_"},
		{"dotfile", ".bashrc", "_bashrc"},
		{"htaccess", ".htaccess", "_htaccess"},
		{"private folder", ".imgcrawl", "_imgcrawl"},
		{"slash", "a/b.png", "a_b.png"},
		{"backslash", `a\b.png`, "a_b.png"},
		{"climb", "../../etc/passwd", "_._.._etc_passwd"},
		{"windows reserved chars", `a<b>c:d"e|f?g*h.png`, "a_b_c_d_e_f_g_h.png"},
		{"nul byte", "x\x00.png", "x_.png"},
		{"newline and tab", "a\nb\tc.png", "a_b_c.png"},
		{"del and c1", "a\x7fb\u0085c", "a_b_c"},
		{"line separator", "a\u2028b", "a_b"},
		{"bidi override", "gnp\u202e.exe", "gnp_.exe"},
		{"invalid utf8", "a\xff\xfeb.png", "a__b.png"},
		{"literal replacement char kept", "a\uFFFDb", "a\uFFFDb"},
		{"trailing dots", "photo.png...", "photo.png"},
		{"trailing spaces", "photo.png  ", "photo.png"},
		{"trailing mix", "name . .", "name"},
		{"leading spaces kept", "  a", "  a"},
		{"con", "con", "_con"},
		{"CON upper", "CON", "_CON"},
		{"aux with ext", "aux.png", "_aux.png"},
		{"nul with two exts", "nul.tar.gz", "_nul.tar.gz"},
		{"com1", "com1.jpg", "_com1.jpg"},
		{"lpt9", "LPT9", "_LPT9"},
		{"com superscript", "COM¹.txt", "_COM¹.txt"},
		{"reserved with space before ext", "prn .png", "_prn .png"},
		{"reserved trailing dot", "aux.", "_aux"},
		{"not reserved: longer", "console.png", "console.png"},
		{"not reserved: com10", "com10", "com10"},
		{"cyrillic", "фото.jpg", "фото.jpg"},
		{"emoji with zwj", "👩‍💻.png", "👩‍💻.png"},
		{"spaces inside", "x y.png", "x y.png"},
		{"percent kept", "x%20y.png", "x%20y.png"},
		{"long", long, strings.Repeat("a", 255-len("-12345678.png")) + "-" + testHash(long) + ".png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sanitizeName(tt.in)
			if got != tt.want {
				t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := sanitizeName(got); again != got {
				t.Errorf("not idempotent: SanitizeName(%q) = %q", got, again)
			}
			checkComponent(t, got)
		})
	}
}

// testHash returns the first 8 hex digits of the SHA-256 of s.
func testHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

func TestSanitizeNameLong(t *testing.T) {
	tests := []struct {
		name, a, b string
	}{
		{"same prefix", strings.Repeat("x", 260) + "1.png", strings.Repeat("x", 260) + "2.png"},
		{"multibyte at the cut", strings.Repeat("ж", 200) + "a.jpg", strings.Repeat("ж", 200) + "b.jpg"},
		{"emoji no ext", strings.Repeat("😀", 70) + "a", strings.Repeat("😀", 70) + "b"},
		{"long ext is not kept as ext", strings.Repeat("y", 250) + "." + strings.Repeat("e", 40), strings.Repeat("y", 251) + "." + strings.Repeat("e", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sa, sb := sanitizeName(tt.a), sanitizeName(tt.b)
			if sa == sb {
				t.Fatalf("distinct long names collide: %q", sa)
			}
			for _, s := range []string{sa, sb} {
				checkComponent(t, s)
				if len(s) < maxBytes-4 {
					t.Errorf("shortened more than needed: %d bytes", len(s))
				}
			}
			if ext := tt.a[strings.LastIndexByte(tt.a, '.')+1:]; len(ext) <= 4 && !strings.HasSuffix(sa, "."+ext) {
				t.Errorf("%q lost its extension %q", sa, ext)
			}
		})
	}
}

// checkComponent fails t unless s is a safe path component.
func checkComponent(t *testing.T, s string) {
	t.Helper()
	switch {
	case s == "" || s == "." || s == "..":
		t.Errorf("unsafe component %q", s)
	case len(s) > maxBytes:
		t.Errorf("component is %d bytes: %q", len(s), s)
	case !utf8.ValidString(s):
		t.Errorf("invalid UTF-8: %q", s)
	case s[0] == '.':
		t.Errorf("leading dot: %q", s)
	case strings.HasSuffix(s, ".") || strings.HasSuffix(s, " "):
		t.Errorf("trailing dot or space: %q", s)
	case strings.ContainsAny(s, "/\\<>:\"|?*"):
		t.Errorf("forbidden character in %q", s)
	case isReserved(s):
		t.Errorf("reserved device name %q", s)
	case strings.EqualFold(s, ".imgcrawl"):
		t.Errorf("private folder name %q", s)
	}
	for _, r := range s {
		if badRune(r) {
			t.Errorf("bad rune %U in %q", r, s)
		}
	}
}

func TestWithSuffix(t *testing.T) {
	long := strings.Repeat("é", 126) + ".png" // 256 bytes before the suffix
	tests := []struct {
		name, rel string
		n         int
		want      string
	}{
		{"with ext", "a/photo.png", 1, "a/photo-1.png"},
		{"no dir", "photo.png", 12, "photo-12.png"},
		{"no ext", "a/b/photo", 2, "a/b/photo-2"},
		{"dot in dir only", "a.b/photo", 3, "a.b/photo-3"},
		{"two exts", "x/archive.tar.gz", 1, "x/archive.tar-1.gz"},
		{"zero n", "a/photo.png", 0, "a/photo.png"},
		{"negative n", "a/photo.png", -1, "a/photo.png"},
		{"stays within 255 bytes", "d/" + long, 7, "d/" + strings.Repeat("é", 124) + "-7.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withSuffix(tt.rel, tt.n)
			if got != tt.want {
				t.Errorf("WithSuffix(%q, %d) = %q, want %q", tt.rel, tt.n, got, tt.want)
			}
			base := got[strings.LastIndexByte(got, '/')+1:]
			if len(base) > maxBytes || !utf8.ValidString(base) {
				t.Errorf("bad last component %q (%d bytes)", base, len(base))
			}
		})
	}
}

func TestContentDispositionName(t *testing.T) {
	tests := []struct {
		name, header, want string
		ok                 bool
	}{
		{"quoted", `attachment; filename="photo.png"`, "photo.png", true},
		{"token", `inline; filename=photo.png`, "photo.png", true},
		{"path climb", `attachment; filename="../../etc/passwd"`, "passwd", true},
		{"windows path", `attachment; filename="C:\\Windows\\evil.png"`, "evil.png", true},
		{"rfc5987", `attachment; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg`, "фото.jpg", true},
		{"rfc5987 preferred", `attachment; filename="fallback.jpg"; filename*=UTF-8''na%C3%AFve.jpg`, "naïve.jpg", true},
		{"rfc5987 first", `attachment; filename*=UTF-8''na%C3%AFve.jpg; filename="fallback.jpg"`, "naïve.jpg", true},
		{"rfc5987 climb", `attachment; filename*=UTF-8''..%2F..%2Fescape.png`, "escape.png", true},
		{"unknown charset falls back", `attachment; filename*=x-unknown''abc.png; filename="plain.png"`, "plain.png", true},
		{"dotfile kept for caller", `attachment; filename=".bashrc"`, ".bashrc", true},
		{"no filename", `attachment`, "", false},
		{"empty filename", `attachment; filename=""`, "", false},
		{"only dotdot", `attachment; filename="../.."`, "", false},
		{"trailing slash", `attachment; filename="dir/"`, "", false},
		{"garbage", `;;;=`, "", false},
		{"empty header", ``, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := contentDispositionName(tt.header)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ContentDispositionName(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// What were the package's examples before these helpers were unexported.
func TestSanitizeNameExamples(t *testing.T) {
	for _, tc := range [][2]string{
		{"../../etc/passwd", "_._.._etc_passwd"},
		{".bashrc", "_bashrc"},
		{"aux.png", "_aux.png"},
		{"photo.png. ", "photo.png"},
		{`what?.png`, "what_.png"},
	} {
		if got := sanitizeName(tc[0]); got != tc[1] {
			t.Errorf("sanitizeName(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
	name, ok := contentDispositionName(`attachment; filename="../../evil.png"; filename*=UTF-8''%E2%82%AC%20rates.png`)
	if name != "€ rates.png" || !ok {
		t.Errorf("contentDispositionName = %q, %v; want \"€ rates.png\", true", name, ok)
	}
}
