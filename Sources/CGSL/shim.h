// The one bridge to native code: GNU GSL for special functions, distributions,
// random numbers and small dense linear algebra (symmetric eigenvalues,
// Cholesky), and OpenBLAS for BLAS. CBLAS is declared through GSL's
// own header (gsl/gsl_cblas.h); <cblas.h> must not be included as well, since
// its enums clash with GSL's. The module links libopenblas instead of
// libgslcblas, so every cblas_* symbol resolves to OpenBLAS.
#ifndef NOISESCOPE_CGSL_SHIM_H
#define NOISESCOPE_CGSL_SHIM_H

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sf_zeta.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>

/// OpenBLAS's thread control, declared here so that <cblas.h> is not needed.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);

/// OpenBLAS's kernel-set name and its run-time kernel selection (DYNAMIC_ARCH
/// builds only), declared weak so that an OpenBLAS without them still links
/// and so that they are reachable in a statically linked binary, where dlsym
/// finds nothing. The wrappers return 0 where the library lacks them.
char *openblas_get_corename(void) __attribute__((weak));
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
static inline const char *noisescope_openblas_corename(void) {
    return openblas_get_corename ? openblas_get_corename() : 0;
}
static inline int noisescope_openblas_reinitialise(void) {
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return 0;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    return 1;
}

/// Swaps two paths in one step (Linux renameat2 with RENAME_EXCHANGE), so a
/// finished run directory replaces the previous one atomically. -1 with errno
/// ENOSYS or EINVAL where the kernel or file system cannot.
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
static inline int noisescope_exchange_paths(const char *from, const char *to) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 2 /* RENAME_EXCHANGE */);
#else
    errno = ENOSYS;
    return -1;
#endif
}

#endif
