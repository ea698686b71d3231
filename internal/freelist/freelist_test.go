package freelist

import "testing"

func TestListKeepsAtMostMax(t *testing.T) {
	l := List[int]{Max: 2}
	if l.Get() != nil {
		t.Fatal("an empty list returned a value")
	}
	a, b, c := new(int), new(int), new(int)
	l.Put(a)
	l.Put(b)
	l.Put(c) // dropped: two kept already
	if got := l.Get(); got != b {
		t.Fatalf("got %p, want the last put %p", got, b)
	}
	if got := l.Get(); got != a {
		t.Fatalf("got %p, want %p", got, a)
	}
	if l.Get() != nil {
		t.Fatal("a value past Max was kept")
	}
}
