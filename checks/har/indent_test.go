package har

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteIndentedIsEncodingJSON: the one-pass writer writes what
// json.Encoder (SetIndent, no HTML escaping) writes, on every HAR in
// testdata and on strings with every kind of character to escape.
func TestWriteIndentedIsEncodingJSON(t *testing.T) {
	inputs := [][]byte{[]byte(`{"a":"<b>&\u2028\u2029\u0001\"\\\n\r\t\b\f é 😀","n":[1.50,-2e3,true,false,null,{},[]],"z":{"y":[{"x":"\ud800"}]}}`),
		[]byte("\"invalid \xff\xfe utf-8\""), []byte(`[]`), []byte(`"x"`)}
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && json.Valid(data) {
			inputs = append(inputs, data)
		}
	}
	if len(inputs) < 6 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for _, in := range inputs {
		var v any
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeIndented(&got, v, 0)
		got.WriteByte('\n')
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%.60q: got\n%.300s\nwant\n%.300s", in, got.Bytes(), want.Bytes())
		}
	}
}
