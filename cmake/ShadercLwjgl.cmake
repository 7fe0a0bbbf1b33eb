# A GLSL compiler that accepts GL_KHR_cooperative_matrix / GL_NV_cooperative_matrix, which Debian 12's
# glslc (shaderc 2023.2, glslang 11.13) rejects: LWJGL's build of shaderc (org.lwjgl:lwjgl-shaderc,
# natives-linux, from Maven Central; shaderc's plain C API inside), driven by our build-time tool
# cpp/tools/spirv_compile.cpp. The jar comes from the local Maven repository; when it is not there
# yet, the project's Maven wrapper fetches it once (Maven's client, Maven Central), so builds stay
# offline-clean afterwards. Its SHA-256 is pinned.
#
# Defines, when MC_VK_COOPMAT is ON (the default):
#   MC_SHADERC_LIBRARY  the unpacked libshaderc.so
#   mc_spirv_compile    the host tool (target)
# -DMC_VK_COOPMAT=OFF builds without the tensor-core kernels (they are then never selected).

option(MC_VK_COOPMAT "Compile the cooperative-matrix (tensor core) Vulkan kernels with LWJGL's shaderc" ON)
set(MC_LWJGL_SHADERC_VERSION 3.3.6)
set(MC_LWJGL_SHADERC_SHA256 b0c2dd232b22751e873a2e08fe502d38a9a490c1b95a430226e40acef4f39db9)
set(MC_MAVEN_REPOSITORY "$ENV{HOME}/.m2/repository" CACHE PATH "Local Maven repository that holds org.lwjgl:lwjgl-shaderc")

if(MC_VK_COOPMAT AND MC_SHADERC_LIBRARY AND EXISTS "${MC_SHADERC_LIBRARY}")
  # The Maven build unpacks the same artifact as a dependency (core/pom.xml) and passes it in.
  message(STATUS "Tensor-core shaders: compiled with ${MC_SHADERC_LIBRARY}")
  add_executable(mc_spirv_compile "${PROJECT_SOURCE_DIR}/cpp/tools/spirv_compile.cpp")
  target_link_libraries(mc_spirv_compile PRIVATE ${CMAKE_DL_LIBS})
  target_compile_options(mc_spirv_compile PRIVATE -O1)
elseif(MC_VK_COOPMAT)
  if(NOT CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$" OR NOT CMAKE_HOST_SYSTEM_NAME STREQUAL "Linux")
    message(FATAL_ERROR "The cooperative-matrix shaders are compiled with LWJGL's shaderc for linux-x86_64 only; "
                        "configure with -DMC_VK_COOPMAT=OFF on ${CMAKE_HOST_SYSTEM_NAME}/${CMAKE_HOST_SYSTEM_PROCESSOR}.")
  endif()
  set(_v ${MC_LWJGL_SHADERC_VERSION})
  set(_jar "${MC_MAVEN_REPOSITORY}/org/lwjgl/lwjgl-shaderc/${_v}/lwjgl-shaderc-${_v}-natives-linux.jar")
  if(NOT EXISTS "${_jar}")
    set(_mvn "${PROJECT_SOURCE_DIR}/mvnw")
    if(NOT EXISTS "${_mvn}")
      find_program(_mvn mvn)
    endif()
    message(STATUS "Fetching org.lwjgl:lwjgl-shaderc:${_v}:natives-linux from Maven Central (once)")
    execute_process(
      COMMAND "${_mvn}" -B -q "-Dmaven.repo.local=${MC_MAVEN_REPOSITORY}"
              org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get
              "-Dartifact=org.lwjgl:lwjgl-shaderc:${_v}:jar:natives-linux" -Dtransitive=false
      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
      RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    if(NOT _rc EQUAL 0 OR NOT EXISTS "${_jar}")
      message(FATAL_ERROR "Could not fetch org.lwjgl:lwjgl-shaderc:${_v}:natives-linux (the compiler of the tensor-core shaders):\n${_out}\n"
                          "Fetch it once with network access: ./mvnw dependency:get -Dartifact=org.lwjgl:lwjgl-shaderc:${_v}:jar:natives-linux\n"
                          "or configure with -DMC_VK_COOPMAT=OFF to build without those kernels.")
    endif()
  endif()
  file(SHA256 "${_jar}" _sha)
  if(NOT _sha STREQUAL MC_LWJGL_SHADERC_SHA256)
    message(FATAL_ERROR "${_jar} has SHA-256 ${_sha}, expected ${MC_LWJGL_SHADERC_SHA256}; delete it and configure again.")
  endif()
  set(_dir "${CMAKE_BINARY_DIR}/lwjgl-shaderc-${_v}")
  set(MC_SHADERC_LIBRARY "${_dir}/linux/x64/org/lwjgl/shaderc/libshaderc.so")
  if(NOT EXISTS "${MC_SHADERC_LIBRARY}")
    file(ARCHIVE_EXTRACT INPUT "${_jar}" DESTINATION "${_dir}" PATTERNS "linux/x64/org/lwjgl/shaderc/libshaderc.so")
  endif()
  add_executable(mc_spirv_compile "${PROJECT_SOURCE_DIR}/cpp/tools/spirv_compile.cpp")
  target_link_libraries(mc_spirv_compile PRIVATE ${CMAKE_DL_LIBS})
  target_compile_options(mc_spirv_compile PRIVATE -O1)
endif()
