//go:build amd64 && !purego

package gemm

// kernelImpls lists the kernel sets the tests run against, with a function
// selecting each; the assembly is only listed if the CPU can run it.
func kernelImpls() []kernelImpl {
	saved := useAsm
	restore := func() { useAsm = saved }
	impls := []kernelImpl{{"generic", func() func() { useAsm = false; return restore }}}
	if saved {
		impls = append(impls, kernelImpl{"avx2-fma", func() func() { useAsm = true; return restore }})
	}
	return impls
}
