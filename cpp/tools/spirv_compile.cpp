// Build-time GLSL -> SPIR-V compiler for the shaders that Debian 12's glslc rejects (cooperative
// matrices). It drives the shaderc C API of a libshaderc.so opened at run time (LWJGL's build from
// Maven Central, see cmake/ShadercLwjgl.cmake), validates the result with the SPIRV-Tools validator
// in the same library, and writes it as glslc -mfmt=num does, so cmake/EmbedShaders.cmake embeds it
// like any other shader.
//   spirv_compile --library libshaderc.so --target-env vulkan1.1|vulkan1.2|vulkan1.3 [-DNAME[=VALUE]]...
//                 -o OUT.spv.inc IN.comp
// Includes ("name") are resolved next to the including file.
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The slice of shaderc.h (shaderc's stable C API) and libspirv.h that this tool uses.
struct IncludeResult {
    const char* sourceName;
    size_t sourceNameLength;
    const char* content;
    size_t contentLength;
    void* userData;
};
using IncludeResolve = IncludeResult* (*)(void*, const char*, int, const char*, size_t);
using IncludeRelease = void (*)(void*, IncludeResult*);
constexpr int kComputeShader = 2;       // shaderc_compute_shader
constexpr int kTargetEnvVulkan = 0;     // shaderc_target_env_vulkan
constexpr int kOptimizePerformance = 2; // shaderc_optimization_level_performance
constexpr int kStatusSuccess = 0;       // shaderc_compilation_status_success

struct Api {
    void* (*compilerInitialize)();
    void (*compilerRelease)(void*);
    void* (*optionsInitialize)();
    void (*optionsRelease)(void*);
    void (*addMacro)(void*, const char*, size_t, const char*, size_t);
    void (*setTargetEnv)(void*, int, uint32_t);
    void (*setOptimization)(void*, int);
    void (*setIncludeCallbacks)(void*, IncludeResolve, IncludeRelease, void*);
    void* (*compile)(void*, const char*, size_t, int, const char*, const char*, void*);
    int (*status)(void*);
    const char* (*errorMessage)(void*);
    size_t (*length)(void*);
    const char* (*bytes)(void*);
    void (*resultRelease)(void*);
    void* (*contextCreate)(int);
    void (*contextDestroy)(void*);
    int (*validateBinary)(void*, const uint32_t*, size_t, void**);
    void (*diagnosticPrint)(void*);
    void (*diagnosticDestroy)(void*);
};

template <typename F>
bool bind(void* lib, const char* name, F& out) {
    out = reinterpret_cast<F>(dlsym(lib, name));
    if (!out) std::fprintf(stderr, "spirv_compile: %s lacks %s\n", "libshaderc", name);
    return out != nullptr;
}

bool load(const std::string& path, Api& a) {
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        std::fprintf(stderr, "spirv_compile: cannot open %s: %s\n", path.c_str(), dlerror());
        return false;
    }
    return bind(lib, "shaderc_compiler_initialize", a.compilerInitialize) && bind(lib, "shaderc_compiler_release", a.compilerRelease) &&
           bind(lib, "shaderc_compile_options_initialize", a.optionsInitialize) &&
           bind(lib, "shaderc_compile_options_release", a.optionsRelease) &&
           bind(lib, "shaderc_compile_options_add_macro_definition", a.addMacro) &&
           bind(lib, "shaderc_compile_options_set_target_env", a.setTargetEnv) &&
           bind(lib, "shaderc_compile_options_set_optimization_level", a.setOptimization) &&
           bind(lib, "shaderc_compile_options_set_include_callbacks", a.setIncludeCallbacks) &&
           bind(lib, "shaderc_compile_into_spv", a.compile) && bind(lib, "shaderc_result_get_compilation_status", a.status) &&
           bind(lib, "shaderc_result_get_error_message", a.errorMessage) && bind(lib, "shaderc_result_get_length", a.length) &&
           bind(lib, "shaderc_result_get_bytes", a.bytes) && bind(lib, "shaderc_result_release", a.resultRelease) &&
           bind(lib, "spvContextCreate", a.contextCreate) && bind(lib, "spvContextDestroy", a.contextDestroy) &&
           bind(lib, "spvValidateBinary", a.validateBinary) && bind(lib, "spvDiagnosticPrint", a.diagnosticPrint) &&
           bind(lib, "spvDiagnosticDestroy", a.diagnosticDestroy);
}

bool readFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return true;
}

std::string directoryOf(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash);
}

struct Included {
    IncludeResult result;
    std::string name, content;
};

IncludeResult* resolveInclude(void*, const char* requested, int, const char* requesting, size_t) {
    auto* inc = new Included;
    inc->name = directoryOf(requesting) + "/" + requested;
    if (!readFile(inc->name, inc->content)) {
        inc->content = "cannot read " + inc->name;  // shaderc reports an empty name plus this text as the error
        inc->name.clear();
    }
    inc->result = IncludeResult{inc->name.c_str(), inc->name.size(), inc->content.c_str(), inc->content.size(), inc};
    return &inc->result;
}

void releaseInclude(void*, IncludeResult* result) { delete static_cast<Included*>(result->userData); }

}  // namespace

int main(int argc, char** argv) {
    std::string library, output, input, env = "vulkan1.1";
    std::vector<std::pair<std::string, std::string>> macros;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--library" && i + 1 < argc) library = argv[++i];
        else if (a == "--target-env" && i + 1 < argc) env = argv[++i];
        else if (a == "-o" && i + 1 < argc) output = argv[++i];
        else if (a.rfind("-D", 0) == 0) {
            const size_t eq = a.find('=');
            macros.emplace_back(a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2), eq == std::string::npos ? "" : a.substr(eq + 1));
        } else input = a;
    }
    if (library.empty() || output.empty() || input.empty()) {
        std::fprintf(stderr, "usage: spirv_compile --library libshaderc.so [--target-env vulkan1.1] [-DNAME[=VALUE]]... -o OUT IN.comp\n");
        return 2;
    }
    uint32_t version = 0;
    int spvEnv = 0;  // libspirv.h spv_target_env
    if (env == "vulkan1.1") version = (1u << 22) | (1u << 12), spvEnv = 18;
    else if (env == "vulkan1.2") version = (1u << 22) | (2u << 12), spvEnv = 23;
    else if (env == "vulkan1.3") version = (1u << 22) | (3u << 12), spvEnv = 25;
    else {
        std::fprintf(stderr, "spirv_compile: unknown --target-env %s\n", env.c_str());
        return 2;
    }
    Api api{};
    if (!load(library, api)) return 1;
    std::string source;
    if (!readFile(input, source)) {
        std::fprintf(stderr, "spirv_compile: cannot read %s\n", input.c_str());
        return 1;
    }
    void* compiler = api.compilerInitialize();
    void* options = api.optionsInitialize();
    api.setTargetEnv(options, kTargetEnvVulkan, version);
    api.setOptimization(options, kOptimizePerformance);
    api.setIncludeCallbacks(options, resolveInclude, releaseInclude, nullptr);
    for (const auto& [name, value] : macros) api.addMacro(options, name.c_str(), name.size(), value.c_str(), value.size());
    void* result = api.compile(compiler, source.c_str(), source.size(), kComputeShader, input.c_str(), "main", options);
    int rc = 0;
    if (api.status(result) != kStatusSuccess) {
        std::fprintf(stderr, "%s", api.errorMessage(result));
        rc = 1;
    } else {
        const size_t words = api.length(result) / 4;
        std::vector<uint32_t> spirv(words);
        std::memcpy(spirv.data(), api.bytes(result), words * 4);
        void* context = api.contextCreate(spvEnv);
        void* diagnostic = nullptr;
        if (api.validateBinary(context, spirv.data(), spirv.size(), &diagnostic) != 0) {
            std::fprintf(stderr, "spirv_compile: %s does not validate:\n", input.c_str());
            if (diagnostic) api.diagnosticPrint(diagnostic);
            rc = 1;
        }
        if (diagnostic) api.diagnosticDestroy(diagnostic);
        api.contextDestroy(context);
        if (rc == 0) {
            std::ofstream out(output);
            for (size_t i = 0; i < words; ++i) {
                char word[16];
                std::snprintf(word, sizeof(word), "0x%08x", spirv[i]);
                out << word << (i + 1 < words ? "," : "") << ((i + 1) % 8 == 0 ? "\n" : "");
            }
            out << "\n";
            if (!out) {
                std::fprintf(stderr, "spirv_compile: cannot write %s\n", output.c_str());
                rc = 1;
            }
        }
    }
    api.resultRelease(result);
    api.optionsRelease(options);
    api.compilerRelease(compiler);
    return rc;
}
