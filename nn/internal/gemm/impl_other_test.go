//go:build !amd64 || purego

package gemm

func kernelImpls() []kernelImpl {
	return []kernelImpl{{"generic", func() func() { return func() {} }, tiles8}}
}
