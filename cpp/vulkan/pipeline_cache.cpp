#include "vulkan/pipeline_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace esrgan::vk {

namespace {

constexpr char kMagic[8] = {'M', 'C', 'V', 'K', 'P', 'C', '0', '1'};
constexpr size_t kHeaderBytes = 32;  // magic, uint64 payload bytes, uint64 FNV-1a, 8 reserved

uint64_t fnv1a(const uint8_t* p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

std::string hex(const uint8_t* p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) s += digits[p[i] >> 4], s += digits[p[i] & 15];
    return s;
}

std::string directory() {
    if (const char* forced = std::getenv("MC_VK_PIPELINE_CACHE")) {
        if (std::string(forced) == "off") return "";
        if (*forced) return forced;
    }
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/model-compose/vulkan";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/model-compose/vulkan";
    return "";
}

uint32_t readU32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

}  // namespace

PipelineCacheFile::PipelineCacheFile(const VkPhysicalDeviceProperties& props) : props_(props) {
    const std::string dir = directory();
    if (dir.empty()) return;
    char name[64];
    std::snprintf(name, sizeof(name), "%04x-%04x-%08x-", props.vendorID, props.deviceID, props.driverVersion);
    path_ = dir + "/" + name + hex(props.pipelineCacheUUID, VK_UUID_SIZE) + ".bin";
}

std::vector<uint8_t> PipelineCacheFile::wrap(const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out(kHeaderBytes + data.size(), 0);
    std::memcpy(out.data(), kMagic, 8);
    const uint64_t size = data.size(), hash = fnv1a(data.data(), data.size());
    std::memcpy(out.data() + 8, &size, 8);
    std::memcpy(out.data() + 16, &hash, 8);
    if (!data.empty()) std::memcpy(out.data() + kHeaderBytes, data.data(), data.size());
    return out;
}

bool PipelineCacheFile::valid(const std::vector<uint8_t>& file, const VkPhysicalDeviceProperties& props, std::string& why) {
    if (file.size() < kHeaderBytes || std::memcmp(file.data(), kMagic, 8) != 0) {
        why = "not a pipeline cache of ours";
        return false;
    }
    uint64_t size, hash;
    std::memcpy(&size, file.data() + 8, 8);
    std::memcpy(&hash, file.data() + 16, 8);
    if (size != file.size() - kHeaderBytes || hash != fnv1a(file.data() + kHeaderBytes, size)) {
        why = "truncated or corrupt";
        return false;
    }
    // The driver's header (VkPipelineCacheHeaderVersionOne): length, version, vendor, device, UUID.
    const uint8_t* d = file.data() + kHeaderBytes;
    if (size < 16 + VK_UUID_SIZE || readU32(d) < 16 + VK_UUID_SIZE || readU32(d + 4) != VK_PIPELINE_CACHE_HEADER_VERSION_ONE ||
        readU32(d + 8) != props.vendorID || readU32(d + 12) != props.deviceID ||
        std::memcmp(d + 16, props.pipelineCacheUUID, VK_UUID_SIZE) != 0) {
        why = "made for another device or driver";
        return false;
    }
    return true;
}

std::vector<uint8_t> PipelineCacheFile::load(std::string& why) const {
    if (path_.empty()) {
        why = "disabled";
        return {};
    }
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        why = "no file yet";
        return {};
    }
    std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!valid(file, props_, why)) return {};
    return std::vector<uint8_t>(file.begin() + kHeaderBytes, file.end());
}

bool PipelineCacheFile::save(const std::vector<uint8_t>& data, std::string& why) const {
    if (path_.empty()) {
        why = "disabled";
        return false;
    }
    std::error_code ec;
    const std::filesystem::path target(path_);
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
        why = "cannot create " + target.parent_path().string() + ": " + ec.message();
        return false;
    }
    const std::string temp = path_ + ".tmp." + std::to_string(::getpid());
    const std::vector<uint8_t> bytes = wrap(data);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        why = "cannot write " + temp + ": " + std::strerror(errno);
        return false;
    }
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    const bool written = done == bytes.size() && ::fsync(fd) == 0;
    ::close(fd);
    if (!written || std::rename(temp.c_str(), path_.c_str()) != 0) {
        why = "cannot write " + path_ + ": " + std::strerror(errno);
        std::remove(temp.c_str());
        return false;
    }
    return true;
}

}  // namespace esrgan::vk
