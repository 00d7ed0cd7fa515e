//go:build amd64 && !purego

package gemm

// kernelImpls lists the kernel sets the tests run against, with a function
// selecting each and the direct tiles it can run; the assembly is only
// listed if the CPU can run it.
func kernelImpls() []kernelImpl {
	saved := path
	use := func(p kernelPath) func() func() {
		return func() func() { path = p; return func() { path = saved } }
	}
	impls := []kernelImpl{{"generic", use(pathGeneric), tiles8}}
	if cpuPath >= pathAVX2 {
		impls = append(impls, kernelImpl{"avx2-fma", use(pathAVX2), tiles8})
	}
	if cpuPath >= pathAVX512 {
		impls = append(impls, kernelImpl{"avx512", use(pathAVX512), tiles16})
	}
	return impls
}
