# Compiler settings shared by every target: warnings, sanitizers, ccache.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  # The sloppiness lets ccache cache files compiled against a precompiled header (unit tests).
  set(ccache_launcher env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER ${ccache_launcher})
  set(CMAKE_C_COMPILER_LAUNCHER ${ccache_launcher})
endif()

add_library(trustlane_warnings INTERFACE)
target_compile_options(trustlane_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough)
if(TRUSTLANE_WERROR)
  target_compile_options(trustlane_warnings INTERFACE -Werror)
endif()

# Sanitizers instrument the code under test (src/, added there) and the fuzz targets; the unit
# test drivers are not instrumented: gtest's expanded macros doubled their compile time in the
# sanitizer job, and what they exercise is the instrumented library code. Everything links the
# runtime.
set(TRUSTLANE_SANITIZE_FLAGS "")
if(TRUSTLANE_SANITIZE)
  set(TRUSTLANE_SANITIZE_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Boost.Asio: standalone coroutines, no deprecated interfaces.
add_compile_definitions(BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_CONCEPTS)
