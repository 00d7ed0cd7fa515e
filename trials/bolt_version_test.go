package trials

import "testing"

func TestVersionMovesWithEveryChangeOnly(t *testing.T) {
	b := newStore(t)
	v0, err := b.Version()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutStudy(testStudy(t, 1)); err != nil {
		t.Fatal(err)
	}
	v1, _ := b.Version()
	tr := mustCreate(t, b, &Trial{})
	if _, err := b.Trials(); err != nil {
		t.Fatal(err)
	}
	v2, _ := b.Version()
	if _, err := b.Trial(tr.ID); err != nil {
		t.Fatal(err)
	}
	v3, _ := b.Version()
	if !(v0 < v1 && v1 < v2) || v3 != v2 {
		t.Fatalf("versions %d, %d, %d, %d: want a rise after each change and none after reads", v0, v1, v2, v3)
	}
}
