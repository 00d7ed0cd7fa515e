package data_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/tunekit/tune/data"
)

func ExampleLoadCSV() {
	const housing = `rooms,"median income",price
3,4.5,250000
5,8.25,452600
`
	t, err := data.LoadCSV(strings.NewReader(housing), data.CSVOptions{Header: true, Target: "price"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Features, "->", t.Target)
	fmt.Println(t.X.Rows, t.X.Cols, t.X.Data)
	fmt.Println(t.Y.Data)
	// Output:
	// [rooms median income] -> price
	// 2 2 [3 4.5 5 8.25]
	// [250000 452600]
}

func ExampleLoadCSV_stringLabels() {
	const iris = `5.1;3.5;setosa
7.0;3.2;versicolor
4.9;3.0;setosa
`
	opts := data.CSVOptions{Comma: ';', TargetIndex: -1, StringLabels: true}
	t, err := data.LoadCSV(strings.NewReader(iris), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Y.Data, t.Classes)
	// Output: [0 1 0] [setosa versicolor]
}

func ExampleParseError() {
	const bad = "rooms,price\n3,250000\nabc,452600\n"
	_, err := data.LoadCSV(strings.NewReader(bad), data.CSVOptions{Header: true, Target: "price"})
	fmt.Println(err)
	var pe *data.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.Column, pe.Field, errors.Is(err, data.ErrNotNumber))
	}
	// Output:
	// line 3, column 1: field "rooms": "abc" is not a number
	// 3 1 rooms true
}

func ExampleReadIDX() {
	// A raw IDX label file: magic 0x00000801, count 3, then the labels.
	raw := []byte{0, 0, 0x08, 1, 0, 0, 0, 3, 9, 0, 4}
	m, err := data.ReadIDX(bytes.NewReader(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Dims, m.Data)

	// A header claiming far more data than there is.
	_, err = data.ReadIDX(bytes.NewReader([]byte{0, 0, 0x08, 1, 0xff, 0xff, 0xff, 0xff, 1, 2}))
	fmt.Println(errors.Is(err, data.ErrIDXSize))
	// Output:
	// [3] [9 0 4]
	// true
}

func ExampleSpirals() {
	x, y := data.Spirals(1000, 2, 0.1, 1)
	fmt.Println(x.Rows, x.Cols, y.Rows, y.Cols)
	fmt.Println(y.Data[:4])
	// Output:
	// 1000 2 1000 1
	// [0 1 0 1]
}

func ExampleSplit() {
	x, y := data.Blobs(100, 3, 2, 1.0, 7)
	trainX, trainY, testX, testY, err := data.Split(x, y, 0.2, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(trainX.Rows, trainY.Rows, testX.Rows, testY.Rows)
	// Output: 80 80 20 20
}

func ExampleSplitLast() {
	x, y := data.Spirals(60000, 10, 0.1, 1)
	trainX, _, valX, _, err := data.SplitLast(x, y, 5000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(trainX.Rows, valX.Rows)
	// Output: 55000 5000
}

func ExampleStandardScaler() {
	x, _ := data.LoadCSV(strings.NewReader("1,10,5\n2,20,5\n3,30,5\n"), data.CSVOptions{NoTarget: true})
	var s data.StandardScaler
	z, err := s.FitTransform(x.X)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.0f scale %.4f\n", s.Mean, s.Scale)
	fmt.Printf("%.4f\n", z.Data)
	// Output:
	// mean [2 20 5] scale [0.8165 8.1650 1.0000]
	// [-1.2247 -1.2247 0.0000 0.0000 0.0000 0.0000 1.2247 1.2247 0.0000]
}

func ExampleMinMaxScaler() {
	x, _ := data.LoadCSV(strings.NewReader("0,-1\n5,1\n10,3\n"), data.CSVOptions{NoTarget: true})
	var s data.MinMaxScaler
	z, err := s.FitTransform(x.X)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(z.Data)
	// Output: [0 0 0.5 0.5 1 1]
}

func ExampleOneHot() {
	y, _ := data.LoadCSV(strings.NewReader("2\n0\n1\n"), data.CSVOptions{})
	h, err := data.OneHot(y.Y, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range h.Rows {
		fmt.Println(h.Row(i))
	}
	// Output:
	// [0 0 1]
	// [1 0 0]
	// [0 1 0]
}

// A grey 28×28 IDX image shape as the (height, width, channels) input of a
// convolutional model.
func ExampleWithChannels() {
	fmt.Println(data.WithChannels([]int{28, 28}))
	// Output: [28 28 1]
}
