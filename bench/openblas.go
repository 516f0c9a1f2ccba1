//go:build openblas && cgo

package bench

// OpenBLAS through cgo, for side-by-side benchmarks only: never in the
// default build or CI. Debian's libopenblas 0.3.21 misdetects this CPU and
// runs SSE3 kernels unless OPENBLAS_CORETYPE=SkylakeX is exported.

/*
#cgo CFLAGS: -I/usr/include/x86_64-linux-gnu/openblas-pthread
#cgo LDFLAGS: -L/usr/lib/x86_64-linux-gnu/openblas-pthread -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int);
char* openblas_get_corename(void);
*/
import "C"

import (
	"time"
	"unsafe"

	"gonum.org/v1/gonum/blas"
)

func cTrans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

// OpenBLASCore names the kernel set OpenBLAS selected (want SkylakeX).
func OpenBLASCore() string { return C.GoString(C.openblas_get_corename()) }

func init() {
	openBLAS = &GemmImpl{
		Name:       "openblas",
		SetThreads: func(n int) { C.openblas_set_num_threads(C.int(n)) },
		Spin:       300 * time.Millisecond, // 2^28 cycles at ≥ 1 GHz
		Sgemm: func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
			C.cblas_sgemm(C.CblasRowMajor, cTrans(tA), cTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k), C.float(alpha),
				(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
				C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
		},
		Dgemm: func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
			C.cblas_dgemm(C.CblasRowMajor, cTrans(tA), cTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k), C.double(alpha),
				(*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb),
				C.double(beta), (*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
		},
	}
}
