// Package hexdigit reads and writes the hexadecimal digits of percent- and
// CSS escapes, shared by the URL normalizer, the CSS scanner and the file
// namer.
package hexdigit

// Upper is the digits of a percent-escape, in upper case, by value.
const Upper = "0123456789ABCDEF"

// Value returns the value of the hexadecimal digit c, in either case.
func Value(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
