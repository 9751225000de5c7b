// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0
// and 3.0).
//
// Reading accepts the numeric dtypes trigo can use as event data: bool,
// int8..int64, uint8..uint64, float16, float32 and float64, in either byte
// order, C (row-major) order. Everything else (strings, objects, complex,
// datetimes, structured dtypes, Fortran order) is an error that says what
// the file holds and how to convert it. Writing produces float32, int32 and
// int64 arrays in C order, readable by numpy.load.
//
// The reader is written for untrusted files: the header is parsed by a small
// strict parser of the Python literal numpy writes, sizes are checked
// against the bytes actually present before anything is allocated, and no
// input makes it panic.
package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// magic opens every .npy file.
const magic = "\x93NUMPY"

// maxHeader bounds the header length (numpy itself refuses headers over
// 10000 bytes by default).
const maxHeader = 1 << 16

// Kind is the category of a dtype.
type Kind byte

const (
	Bool  Kind = 'b'
	Int   Kind = 'i'
	Uint  Kind = 'u'
	Float Kind = 'f'
)

// Dtype is a numeric element type.
type Dtype struct {
	Kind      Kind
	Size      int  // bytes per element
	BigEndian bool // byte order in the file
}

// String returns the numpy name ("float32", "int64", "bool").
func (d Dtype) String() string {
	switch d.Kind {
	case Bool:
		return "bool"
	case Int:
		return fmt.Sprintf("int%d", 8*d.Size)
	case Uint:
		return fmt.Sprintf("uint%d", 8*d.Size)
	case Float:
		return fmt.Sprintf("float%d", 8*d.Size)
	}
	return "invalid"
}

// Descr returns the numpy dtype descr ("<f4", "|b1").
func (d Dtype) Descr() string {
	order := byte('<')
	if d.Size == 1 {
		order = '|'
	} else if d.BigEndian {
		order = '>'
	}
	return fmt.Sprintf("%c%c%d", order, d.Kind, d.Size)
}

// Array is a decoded array. Data holds Shape's product of elements in C
// order as one of []bool, []int8, []int16, []int32, []int64, []uint8,
// []uint16, []uint32, []uint64, []float32 or []float64 (float16 files are
// widened to []float32).
type Array struct {
	Shape []int
	Dtype Dtype
	Data  any
}

// Len is the number of elements.
func (a *Array) Len() int {
	switch d := a.Data.(type) {
	case []bool:
		return len(d)
	case []int8:
		return len(d)
	case []int16:
		return len(d)
	case []int32:
		return len(d)
	case []int64:
		return len(d)
	case []uint8:
		return len(d)
	case []uint16:
		return len(d)
	case []uint32:
		return len(d)
	case []uint64:
		return len(d)
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	}
	return 0
}

// Float64s returns every element converted to float64 (exact for every
// integer below 2^53 in magnitude; bool is 0 or 1).
func (a *Array) Float64s() []float64 {
	out := make([]float64, a.Len())
	switch d := a.Data.(type) {
	case []bool:
		for i, v := range d {
			if v {
				out[i] = 1
			}
		}
	case []int8:
		convert(out, d)
	case []int16:
		convert(out, d)
	case []int32:
		convert(out, d)
	case []int64:
		convert(out, d)
	case []uint8:
		convert(out, d)
	case []uint16:
		convert(out, d)
	case []uint32:
		convert(out, d)
	case []uint64:
		convert(out, d)
	case []float32:
		convert(out, d)
	case []float64:
		copy(out, d)
	}
	return out
}

// Float32s returns every element converted to float32 (the nearest float32,
// as numpy's astype(np.float32)).
func (a *Array) Float32s() []float32 {
	if d, ok := a.Data.([]float32); ok {
		out := make([]float32, len(d))
		copy(out, d)
		return out
	}
	f := a.Float64s()
	out := make([]float32, len(f))
	for i, v := range f {
		out[i] = float32(v)
	}
	return out
}

// Int64s returns the elements of an integer or bool array. Float arrays and
// uint64 values above MaxInt64 are errors.
func (a *Array) Int64s() ([]int64, error) {
	out := make([]int64, a.Len())
	switch d := a.Data.(type) {
	case []bool:
		for i, v := range d {
			if v {
				out[i] = 1
			}
		}
	case []int8:
		convert(out, d)
	case []int16:
		convert(out, d)
	case []int32:
		convert(out, d)
	case []int64:
		copy(out, d)
	case []uint8:
		convert(out, d)
	case []uint16:
		convert(out, d)
	case []uint32:
		convert(out, d)
	case []uint64:
		for i, v := range d {
			if v > math.MaxInt64 {
				return nil, fmt.Errorf("element %d (%d) does not fit in int64", i, v)
			}
			out[i] = int64(v)
		}
	default:
		return nil, fmt.Errorf("array holds %s, want integers", a.Dtype)
	}
	return out, nil
}

type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func convert[D, S number](dst []D, src []S) {
	for i, v := range src {
		dst[i] = D(v)
	}
}

// ReadFile reads a .npy file. Errors do not repeat the path; callers add it.
func ReadFile(path string) (*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// Read reads a whole .npy stream.
func Read(r io.Reader) (*Array, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// Decode parses the bytes of a .npy file.
func Decode(b []byte) (*Array, error) {
	if len(b) == 0 {
		return nil, errors.New("empty file, expected a NumPy .npy array")
	}
	if len(b) < len(magic)+2 || string(b[:len(magic)]) != magic {
		if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
			return nil, errors.New("this is a zip archive (.npz?), expected a single .npy array (np.save, not np.savez)")
		}
		return nil, errors.New("not a NumPy .npy file (missing the \\x93NUMPY magic)")
	}
	major, minor := b[6], b[7]
	var hlen, off int
	switch major {
	case 1:
		if len(b) < 10 {
			return nil, errors.New("truncated .npy header")
		}
		hlen, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return nil, errors.New("truncated .npy header")
		}
		n := binary.LittleEndian.Uint32(b[8:12])
		if n > maxHeader {
			return nil, fmt.Errorf(".npy header of %d bytes is implausibly large", n)
		}
		hlen, off = int(n), 12
	default:
		return nil, fmt.Errorf(".npy format version %d.%d is not supported (1.0, 2.0, 3.0)", major, minor)
	}
	if len(b) < off+hlen {
		return nil, fmt.Errorf("truncated .npy header: %d bytes announced, %d present", hlen, len(b)-off)
	}
	h, err := parseHeader(string(b[off : off+hlen]))
	if err != nil {
		return nil, fmt.Errorf(".npy header: %w", err)
	}
	dt, err := parseDescr(h.descr)
	if err != nil {
		return nil, err
	}
	if h.fortran {
		big := 0
		for _, d := range h.shape {
			if d > 1 {
				big++
			}
		}
		if big > 1 {
			return nil, fmt.Errorf("array of shape %s is in Fortran (column-major) order; save it with np.save(path, np.ascontiguousarray(a))", shapeString(h.shape))
		}
	}
	n := 1
	for _, d := range h.shape {
		if d != 0 && n > math.MaxInt32/d {
			return nil, fmt.Errorf("shape %s is too large", shapeString(h.shape))
		}
		n *= d
	}
	data := b[off+hlen:]
	if want := n * dt.Size; len(data) != want {
		if len(data) < want {
			return nil, fmt.Errorf("truncated data: shape %s of %s needs %d bytes, the file has %d", shapeString(h.shape), dt, want, len(data))
		}
		return nil, fmt.Errorf("%d unexpected bytes after the data of shape %s of %s", len(data)-want, shapeString(h.shape), dt)
	}
	a := &Array{Shape: h.shape, Dtype: dt}
	a.Data, err = decodeData(data, dt, n)
	if err != nil {
		return nil, err
	}
	return a, nil
}

func decodeData(b []byte, dt Dtype, n int) (any, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	if dt.BigEndian {
		bo = binary.BigEndian
	}
	switch {
	case dt.Kind == Bool:
		out := make([]bool, n)
		for i := range out {
			switch b[i] {
			case 0:
			case 1:
				out[i] = true
			default:
				return nil, fmt.Errorf("bool element %d has byte value %d, want 0 or 1", i, b[i])
			}
		}
		return out, nil
	case dt.Kind == Int && dt.Size == 1:
		out := make([]int8, n)
		for i := range out {
			out[i] = int8(b[i])
		}
		return out, nil
	case dt.Kind == Uint && dt.Size == 1:
		return append([]uint8(nil), b...), nil
	case dt.Kind == Int && dt.Size == 2:
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(bo.Uint16(b[2*i:]))
		}
		return out, nil
	case dt.Kind == Uint && dt.Size == 2:
		out := make([]uint16, n)
		for i := range out {
			out[i] = bo.Uint16(b[2*i:])
		}
		return out, nil
	case dt.Kind == Int && dt.Size == 4:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(bo.Uint32(b[4*i:]))
		}
		return out, nil
	case dt.Kind == Uint && dt.Size == 4:
		out := make([]uint32, n)
		for i := range out {
			out[i] = bo.Uint32(b[4*i:])
		}
		return out, nil
	case dt.Kind == Int && dt.Size == 8:
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(bo.Uint64(b[8*i:]))
		}
		return out, nil
	case dt.Kind == Uint && dt.Size == 8:
		out := make([]uint64, n)
		for i := range out {
			out[i] = bo.Uint64(b[8*i:])
		}
		return out, nil
	case dt.Kind == Float && dt.Size == 2:
		out := make([]float32, n)
		for i := range out {
			out[i] = halfToFloat32(bo.Uint16(b[2*i:]))
		}
		return out, nil
	case dt.Kind == Float && dt.Size == 4:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(bo.Uint32(b[4*i:]))
		}
		return out, nil
	case dt.Kind == Float && dt.Size == 8:
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(bo.Uint64(b[8*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("dtype %s is not supported", dt.Descr())
}

// halfToFloat32 converts an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := float32(1)
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return sign * float32(math.Ldexp(m, -24))
	case 0x1f:
		if m != 0 {
			return float32(math.NaN())
		}
		return sign * float32(math.Inf(1))
	}
	return sign * float32(math.Ldexp(1024+m, e-25))
}

// supported lists what the reader accepts, for error messages.
const supported = "bool, int8..int64, uint8..uint64, float16, float32, float64"

// parseDescr parses a numpy dtype descr such as "<f4".
func parseDescr(s string) (Dtype, error) {
	if len(s) < 2 {
		return Dtype{}, fmt.Errorf("dtype %q is not supported (supported: %s)", s, supported)
	}
	var dt Dtype
	body := s
	switch s[0] {
	case '<', '|', '=':
		body = s[1:]
	case '>':
		dt.BigEndian = true
		body = s[1:]
	}
	if body == "?" {
		body = "b1"
	}
	kind := body[0]
	size, err := strconv.Atoi(body[1:])
	if err != nil {
		size = -1
	}
	unsupported := func(what string) (Dtype, error) {
		return Dtype{}, fmt.Errorf("dtype %q (%s) is not supported: trigo reads numeric arrays (%s); convert with a.astype(np.float32)", s, what, supported)
	}
	switch kind {
	case 'b':
		if size != 1 {
			return unsupported("bool of unusual size")
		}
	case 'i', 'u':
		if size != 1 && size != 2 && size != 4 && size != 8 {
			return unsupported("integer of unusual size")
		}
	case 'f':
		if size != 2 && size != 4 && size != 8 {
			return unsupported(fmt.Sprintf("float%d", 8*size))
		}
	case 'c':
		return unsupported("complex")
	case 'U':
		return unsupported("unicode string")
	case 'S', 'a':
		return unsupported("byte string")
	case 'O':
		return unsupported("Python objects")
	case 'M', 'm':
		return unsupported("datetime")
	case 'V':
		return unsupported("raw or structured data")
	default:
		return unsupported("unknown")
	}
	dt.Kind = Kind(kind)
	dt.Size = size
	if size == 1 {
		dt.BigEndian = false
	}
	return dt, nil
}

// header is the parsed header dictionary.
type header struct {
	descr   string
	fortran bool
	shape   []int
}

// parseHeader parses the Python dict literal numpy writes:
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
func parseHeader(s string) (header, error) {
	var h header
	p := &litParser{s: s}
	p.skipSpace()
	if !p.eat('{') {
		return h, errors.New("want a dictionary")
	}
	seen := map[string]bool{}
	for {
		p.skipSpace()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, fmt.Errorf("key: %w", err)
		}
		p.skipSpace()
		if !p.eat(':') {
			return h, fmt.Errorf("want ':' after %q", key)
		}
		p.skipSpace()
		if seen[key] {
			return h, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		switch key {
		case "descr":
			if p.peek() == '[' {
				return h, errors.New("structured dtypes (record arrays) are not supported; save a plain numeric array")
			}
			if h.descr, err = p.str(); err != nil {
				return h, fmt.Errorf("descr: %w", err)
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.fortran = true
			case p.word("False"):
			default:
				return h, errors.New("fortran_order: want True or False")
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, fmt.Errorf("shape: %w", err)
			}
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		p.skipSpace()
		if p.eat(',') {
			continue
		}
		p.skipSpace()
		if p.eat('}') {
			break
		}
		return h, errors.New("want ',' or '}'")
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return h, errors.New("unexpected text after the dictionary")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

type litParser struct {
	s   string
	pos int
}

func (p *litParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\n' || p.s[p.pos] == '\t' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

func (p *litParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *litParser) eat(c byte) bool {
	if p.peek() == c {
		p.pos++
		return true
	}
	return false
}

func (p *litParser) word(w string) bool {
	if strings.HasPrefix(p.s[p.pos:], w) {
		p.pos += len(w)
		return true
	}
	return false
}

// str parses a quoted string without escapes (numpy never writes any in
// the keys or descrs this reader accepts).
func (p *litParser) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", errors.New("want a quoted string")
	}
	end := strings.IndexByte(p.s[p.pos+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.pos+1 : p.pos+1+end]
	if strings.ContainsRune(v, '\\') {
		return "", errors.New("escapes in strings are not supported")
	}
	p.pos += end + 2
	return v, nil
}

// tuple parses (), (n,), (n, m, ...) of non-negative integers.
func (p *litParser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("want a tuple")
	}
	shape := []int{}
	for {
		p.skipSpace()
		if p.eat(')') {
			return shape, nil
		}
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		if start == p.pos {
			return nil, errors.New("want a non-negative integer")
		}
		// numpy 1.x may write Python 2 longs as 3L.
		numEnd := p.pos
		p.eat('L')
		d, err := strconv.Atoi(p.s[start:numEnd])
		if err != nil || d > math.MaxInt32 {
			return nil, fmt.Errorf("dimension %s is too large", p.s[start:numEnd])
		}
		shape = append(shape, d)
		if len(shape) > 32 {
			return nil, errors.New("more than 32 dimensions")
		}
		p.skipSpace()
		if p.eat(',') {
			continue
		}
		p.skipSpace()
		if p.eat(')') {
			return shape, nil
		}
		return nil, errors.New("want ',' or ')'")
	}
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// ShapeString prints a shape the way numpy does: (3, 4), (5,), ().
func ShapeString(s []int) string { return shapeString(s) }

// --- writing ---------------------------------------------------------------

// Element types Write accepts.
type writable interface{ float32 | int32 | int64 }

// Write writes data with the given shape as a little-endian, C-order .npy
// (format 1.0, header padded to 64 bytes like numpy). len(data) must equal
// the product of shape.
func Write[T writable](w io.Writer, shape []int, data []T) error {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: negative dimension in shape %v", shape)
		}
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("npy: shape %s needs %d elements, got %d", shapeString(shape), n, len(data))
	}
	var descr string
	var size int
	switch any(data).(type) {
	case []float32:
		descr, size = "<f4", 4
	case []int32:
		descr, size = "<i4", 4
	case []int64:
		descr, size = "<i8", 8
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shapeString(shape))
	total := len(magic) + 4 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := make([]byte, 0, total+pad)
	hdr = append(hdr, magic...)
	hdr = append(hdr, 1, 0)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)+pad+1))
	hdr = append(hdr, dict...)
	hdr = append(hdr, bytes.Repeat([]byte{' '}, pad)...)
	hdr = append(hdr, '\n')
	buf := make([]byte, 0, len(hdr)+n*size)
	buf = append(buf, hdr...)
	switch d := any(data).(type) {
	case []float32:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	case []int32:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
		}
	case []int64:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

// WriteFile writes a .npy file (see Write).
func WriteFile[T writable](path string, shape []int, data []T) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, shape, data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
