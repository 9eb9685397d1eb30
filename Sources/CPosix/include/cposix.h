// The Linux calls Swift's Glibc module does not export: it is built without _GNU_SOURCE, which
// hides copy_file_range(2), and FICLONE is a macro from <linux/fs.h>. Used by Posix's file copy only.
#ifndef CPOSIX_H
#define CPOSIX_H
#include <sys/types.h>

/// ioctl(FICLONE): makes `to` share `from`'s extents (a reflink: XFS with reflink=1, btrfs).
/// 0 on success; -1 with errno (EOPNOTSUPP, EXDEV, EINVAL…) where the file system cannot.
int cposix_clone_file(int to, int from);

/// copy_file_range(2) from the current offsets of both descriptors; -1 with errno ENOSYS off Linux.
ssize_t cposix_copy_file_range(int from, int to, size_t length);
#endif
