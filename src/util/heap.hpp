// Process-wide heap policy for trustlane's long-running commands (broker, load generator).
#pragma once

namespace trustlane {

// glibc gives the top of an arena back to the kernel as soon as 128 KiB of it is free, and
// serves allocations of 128 KiB or more with mmap. The broker and the load generator free and
// allocate megabytes a second (frames, write blocks, read-ahead buffers); under 4 KB messages
// each round page-faulted fresh memory in again: a fifth of the broker's CPU (perf, see
// bench/findings.md). Keep up to 64 MiB of freed heap per arena, and take blocks of up to
// 4 MiB from the heap, so that memory is reused warm.
void keep_freed_heap();

}  // namespace trustlane
