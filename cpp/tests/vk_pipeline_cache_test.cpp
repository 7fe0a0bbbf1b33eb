// The on-disk pipeline cache (pipeline_cache.h): saved after pipelines are built, loaded by the next
// device, ignored (and replaced) when truncated, corrupt or made for another device.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "vk_test_support.h"
#include "vulkan/runtime.h"

namespace esrgan::vktest {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

VkPhysicalDeviceProperties props0() {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(vk::Runtime::get().physicalDevice(0), &p);
    return p;
}

class VkPipelineCache : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("mc_vk_cache_test_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        env_ = std::make_unique<ScopedEnv>(std::vector<std::pair<std::string, std::string>>{{"MC_VK_PIPELINE_CACHE", dir_.string()}});
    }
    void TearDown() override {
        env_.reset();
        fs::remove_all(dir_);
    }
    // A fresh logical device (not the shared one), so it reads the cache directory set here.
    std::unique_ptr<vk::Device> newDevice() { return std::make_unique<vk::Device>(vk::Runtime::get(), 0); }

    fs::path dir_;
    std::unique_ptr<ScopedEnv> env_;
};

TEST_F(VkPipelineCache, SavedAfterNewPipelinesAndLoadedByTheNextDevice) {
    MC_REQUIRE_VULKAN(shared);
    std::string path;
    {
        auto device = newDevice();
        path = device->pipelineCachePath();
        ASSERT_EQ(fs::path(path).parent_path(), dir_);
        EXPECT_EQ(device->pipelineCacheLoadedBytes(), 0u);
        device->savePipelineCache();
        EXPECT_FALSE(fs::exists(path)) << "nothing built, nothing to save";
        device->pipeline("copy", {});
        device->savePipelineCache();
        ASSERT_TRUE(fs::exists(path));
    }
    std::string why;
    EXPECT_TRUE(vk::PipelineCacheFile::valid(readFile(path), props0(), why)) << why;
    auto next = newDevice();
    EXPECT_EQ(next->pipelineCacheLoadedBytes() + 32, fs::file_size(path));
    EXPECT_NE(next->pipeline("copy", {}), VkPipeline(VK_NULL_HANDLE));
    for (const auto& entry : fs::directory_iterator(dir_)) EXPECT_EQ(entry.path().string(), path) << "no temporary file is left";
}

TEST_F(VkPipelineCache, CorruptTruncatedOrForeignFilesAreIgnoredAndReplaced) {
    MC_REQUIRE_VULKAN(shared);
    std::string path;
    {
        auto device = newDevice();
        path = device->pipelineCachePath();
        device->pipeline("copy", {});
        device->savePipelineCache();
    }
    const std::vector<uint8_t> good = readFile(path);
    ASSERT_GE(good.size(), 32u + 32u);  // ours and the driver's header (lavapipe keeps no more: Mesa caches shaders itself)

    std::vector<uint8_t> flipped = good;
    flipped.back() ^= 0x5a;
    std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
    std::vector<uint8_t> payload(good.begin() + 32, good.end());
    payload[16] ^= 0xff;  // the driver header's pipelineCacheUUID
    const std::vector<uint8_t> foreign = vk::PipelineCacheFile::wrap(payload);
    const std::vector<uint8_t> garbage(100, 0x42);
    for (const std::vector<uint8_t>* bad : std::vector<const std::vector<uint8_t>*>{&flipped, &truncated, &foreign, &garbage}) {
        std::string why;
        EXPECT_FALSE(vk::PipelineCacheFile::valid(*bad, props0(), why));
        writeFile(path, *bad);
        auto device = newDevice();
        EXPECT_EQ(device->pipelineCacheLoadedBytes(), 0u) << why;
        EXPECT_NE(device->pipeline("copy", {}), VkPipeline(VK_NULL_HANDLE));
        device->savePipelineCache();
        EXPECT_TRUE(vk::PipelineCacheFile::valid(readFile(path), props0(), why)) << "replaced after " << why;
    }
}

TEST_F(VkPipelineCache, OffDisablesIt) {
    MC_REQUIRE_VULKAN(shared);
    ScopedEnv off(std::vector<std::pair<std::string, std::string>>{{"MC_VK_PIPELINE_CACHE", "off"}});
    auto device = newDevice();
    EXPECT_EQ(device->pipelineCachePath(), "");
    device->pipeline("copy", {});
    device->savePipelineCache();
    EXPECT_FALSE(fs::exists(dir_));
}

}  // namespace
}  // namespace esrgan::vktest
