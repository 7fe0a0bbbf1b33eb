# Finds the Vulkan headers and volk (the meta-loader that opens libvulkan.so.1 at run time), so the
# runner never links -lvulkan and still loads on machines without a Vulkan loader.
# Defines the static library target VulkanVolk::volk (volk.c compiled with VK_NO_PROTOTYPES; its
# users get the include directories and the same define).
find_path(VULKAN_VOLK_VULKAN_INCLUDE_DIR vulkan/vulkan.h HINTS "$ENV{VULKAN_SDK}/include")
find_path(VULKAN_VOLK_INCLUDE_DIR volk.h HINTS "$ENV{VULKAN_SDK}/include" PATH_SUFFIXES volk)
find_file(VULKAN_VOLK_SOURCE volk.c HINTS "${VULKAN_VOLK_INCLUDE_DIR}" "$ENV{VULKAN_SDK}/include" PATH_SUFFIXES volk)

if(NOT VULKAN_VOLK_VULKAN_INCLUDE_DIR OR NOT VULKAN_VOLK_INCLUDE_DIR OR NOT VULKAN_VOLK_SOURCE)
  set(_missing "")
  if(NOT VULKAN_VOLK_VULKAN_INCLUDE_DIR)
    string(APPEND _missing " vulkan/vulkan.h (Debian: libvulkan-dev)")
  endif()
  if(NOT VULKAN_VOLK_INCLUDE_DIR OR NOT VULKAN_VOLK_SOURCE)
    string(APPEND _missing " volk.h + volk.c (Debian: libvulkan-volk-dev)")
  endif()
  message(FATAL_ERROR
    "The Vulkan backend needs headers that were not found:${_missing}.\n"
    "On Debian/Ubuntu: apt-get install glslc libvulkan-dev libvulkan-volk-dev "
    "(or run scripts/install-system-deps.sh build); elsewhere set VULKAN_SDK to a Vulkan SDK.")
endif()

if(NOT TARGET VulkanVolk::volk)
  enable_language(C)
  add_library(mc_volk STATIC "${VULKAN_VOLK_SOURCE}")
  set_target_properties(mc_volk PROPERTIES POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
  target_include_directories(mc_volk SYSTEM PUBLIC "${VULKAN_VOLK_INCLUDE_DIR}" "${VULKAN_VOLK_VULKAN_INCLUDE_DIR}")
  target_compile_definitions(mc_volk PUBLIC VK_NO_PROTOTYPES)
  target_link_libraries(mc_volk PUBLIC ${CMAKE_DL_LIBS})
  add_library(VulkanVolk::volk ALIAS mc_volk)
endif()
