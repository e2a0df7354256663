#include "util/heap.hpp"

#include <malloc.h>

namespace trustlane {

void keep_freed_heap() {
  // Setting either also stops glibc's dynamic adjustment of both: the values hold.
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
}

}  // namespace trustlane
