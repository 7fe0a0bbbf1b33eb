# Finds oneDNN as shipped in the org.bytedeco:dnnl platform jar (unpacked by Maven into DNNL_ROOT):
# headers in include/, the library as libdnnl.so.3 at the root (no unversioned symlink).
# Defines the imported target DNNL::dnnl.
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp HINTS "${DNNL_ROOT}/include" NO_DEFAULT_PATH)
find_file(DNNL_LIBRARY NAMES libdnnl.so.3 libdnnl.so HINTS "${DNNL_ROOT}" "${DNNL_ROOT}/lib" NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(DNNL REQUIRED_VARS DNNL_INCLUDE_DIR DNNL_LIBRARY)

if(DNNL_FOUND AND NOT TARGET DNNL::dnnl)
  add_library(DNNL::dnnl SHARED IMPORTED)
  set_target_properties(DNNL::dnnl PROPERTIES
    IMPORTED_LOCATION "${DNNL_LIBRARY}"
    IMPORTED_NO_SONAME OFF
    INTERFACE_INCLUDE_DIRECTORIES "${DNNL_INCLUDE_DIR}")
endif()
