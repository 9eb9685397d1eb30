#define _GNU_SOURCE
#include "cposix.h"
#include <errno.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/ioctl.h>
#include <linux/fs.h>
#endif

int cposix_clone_file(int to, int from) {
#if defined(__linux__) && defined(FICLONE)
    return ioctl(to, FICLONE, from);
#else
    errno = EOPNOTSUPP;
    return -1;
#endif
}

ssize_t cposix_copy_file_range(int from, int to, size_t length) {
#ifdef __linux__
    return copy_file_range(from, NULL, to, NULL, length, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}
