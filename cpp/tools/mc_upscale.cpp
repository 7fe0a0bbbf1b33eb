// mc-upscale: the runner without a JVM, for checks on machines that have a GPU but no Java (scripts/gpu-check.sh).
//
//   mc-upscale devices
//       every Vulkan device and its features (type, driver, 16-bit storage, subgroups, cooperative-matrix shapes)
//   mc-upscale upscale -i IN.png -o OUT.png -m MODEL_DIR -n NAME [-g DEVICE] [-t TILE] [--precision auto|fp32|fp16]
//                      [--tile-pad N] [--pre-pad N] [--repeat N]
//       loads NAME.param/.bin onto Vulkan device DEVICE (default 0), upscales IN, writes OUT, and prints the time of
//       each phase: load, weights to the device, the first pass (plans, pipelines) and the steady passes
//   mc-upscale synth W H OUT.png
//       a deterministic RGB test image (gradients, edges, texture, noise) of W x H pixels
//   mc-upscale compare A.png B.png [--min-within2 PERCENT]
//       the share of channel values within +-1 and +-2, leaving out values B wrote as 255 where A is below 128 (the
//       official binary turns negative outputs into white); exit 1 below --min-within2
//
// Only the Vulkan backend is linked (no oneDNN), so the binary and its libgomp travel in a few MB.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "backend/backend.h"
#include "core/errors.h"
#include "graph/network.h"
#include "runner/tile_plan.h"
#include "runner/upscaler.h"
#include "vulkan/device.h"
#include "vulkan/runtime.h"
#include "vulkan/vulkan_backend.h"

using namespace esrgan;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Image {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> pixels;
};

Image readPng(const std::string& path) {
    Image img;
    unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &img.channels, 0);
    if (!data) throw InvalidArgument(path + ": cannot read PNG (" + stbi_failure_reason() + ")");
    img.pixels.assign(data, data + static_cast<size_t>(img.width) * img.height * img.channels);
    stbi_image_free(data);
    return img;
}

const char* arg(int argc, char** argv, const char* name, const char* fallback) {
    for (int i = 2; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
    return fallback;
}

int devices() {
    vk::Runtime& rt = vk::Runtime::get();
    if (!rt.available()) {
        std::printf("no Vulkan device: %s\n", rt.unavailableReason().c_str());
        return 1;
    }
    for (const vk::DeviceInfo& d : rt.devices()) {
        std::printf("device %d: %s (%s), Vulkan %s, %.1f GiB device-local, fp16 storage %s, fp16 arithmetic %s\n", d.index, d.name.c_str(),
                    d.type.c_str(), d.apiVersionText().c_str(), d.deviceLocalBytes / double(1u << 30), d.fp16Storage ? "yes" : "no",
                    d.fp16Arithmetic ? "yes" : "no");
        std::shared_ptr<vk::Device> device = rt.device(d.index);
        std::printf("  subgroup size %u, subgroup broadcasts %s\n", device->subgroupSize(), device->subgroupBroadcast8() ? "yes" : "no");
        std::printf("  %s\n", device->describeFeatures().c_str());
    }
    return 0;
}

int upscale(int argc, char** argv) {
    const std::string in = arg(argc, argv, "-i", ""), out = arg(argc, argv, "-o", ""), dir = arg(argc, argv, "-m", "models"),
                      name = arg(argc, argv, "-n", "");
    if (in.empty() || out.empty() || name.empty()) throw InvalidArgument("upscale needs -i IN.png -o OUT.png -n NAME (and -m MODEL_DIR)");
    const int device = std::atoi(arg(argc, argv, "-g", "0"));
    const int repeat = std::max(1, std::atoi(arg(argc, argv, "--repeat", "1")));
    const std::string precisionText = arg(argc, argv, "--precision", "auto");
    const Precision precision = precisionText == "fp16" ? Precision::Fp16 : precisionText == "fp32" ? Precision::Fp32 : Precision::Auto;
    if (device < 0) throw InvalidArgument("mc-upscale runs on Vulkan devices only (-g 0, 1, ...)");

    const double t0 = now();
    std::unique_ptr<Network> net = Network::load(dir + "/" + name + ".param", dir + "/" + name + ".bin");
    const double tLoad = now();
    vk::VulkanBackend backend(*net, vk::Runtime::get().device(device), precision);
    openBackend(backend, *net);
    const double tPrepare = now();
    Image img = readPng(in);

    UpscaleOptions options;
    options.tileSize = std::atoi(arg(argc, argv, "-t", "0"));
    options.tilePad = std::atoi(arg(argc, argv, "--tile-pad", "-1"));
    options.prePad = std::atoi(arg(argc, argv, "--pre-pad", "10"));
    if (options.tileSize == 0) options.tileSize = autoTileSize(*net, backend, img.width, img.height, options, 1);
    const int scale = net->scale();
    std::vector<uint8_t> result(static_cast<size_t>(img.width) * scale * img.height * scale * img.channels);
    std::vector<double> passes;
    for (int r = 0; r < repeat; ++r) {
        Progress progress;
        UpscaleOutput output;
        output.whole = result.data();
        TileWorker worker;
        worker.device = device;
        worker.backend = &backend;
        const double p0 = now();
        upscaleImage(*net, ImageView{img.pixels.data(), img.width, img.height, img.channels}, output, options, progress, {worker},
                     []() -> Backend& { throw InvalidArgument("the GPU failed and this tool has no CPU backend to finish on"); });
        passes.push_back(now() - p0);
        const std::string warnings = progress.warningText();
        if (!warnings.empty()) std::printf("warning: %s\n", warnings.c_str());
    }
    if (!stbi_write_png(out.c_str(), img.width * scale, img.height * scale, img.channels, result.data(), img.width * scale * img.channels))
        throw InvalidArgument(out + ": cannot write PNG");
    const double steady = passes.size() > 1 ? *std::min_element(passes.begin() + 1, passes.end()) : passes[0];
    std::printf("%s on %s, %dx%d -> %dx%d, tile %d: load %.3f s, weights to the device %.3f s, first pass %.3f s, best steady pass %.3f s, "
                "whole run %.3f s\n",
                name.c_str(), backend.name().c_str(), img.width, img.height, img.width * scale, img.height * scale, options.tileSize, tLoad - t0,
                tPrepare - tLoad, passes[0], steady, tPrepare - t0 + passes[0]);
    return 0;
}

int synth(int argc, char** argv) {
    if (argc < 5) throw InvalidArgument("synth needs W H OUT.png");
    const int w = std::atoi(argv[2]), h = std::atoi(argv[3]);
    if (w < 1 || h < 1 || w > 16384 || h > 16384) throw InvalidArgument("synth: W and H must be 1..16384");
    std::vector<uint8_t> p(static_cast<size_t>(w) * h * 3);
    uint32_t noise = 12345;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            noise = noise * 1664525u + 1013904223u;
            uint8_t* px = &p[(static_cast<size_t>(y) * w + x) * 3];
            const bool edge = ((x / 37) + (y / 29)) % 2 == 0;
            px[0] = static_cast<uint8_t>(127 + 100 * std::sin(x / 13.0) * std::cos(y / 17.0) + (edge ? 20 : -20));
            px[1] = static_cast<uint8_t>((x * 255) / std::max(w - 1, 1));
            px[2] = static_cast<uint8_t>(((x ^ y) & 63) * 3 + (noise >> 28));
        }
    if (!stbi_write_png(argv[4], w, h, 3, p.data(), w * 3)) throw InvalidArgument(std::string(argv[4]) + ": cannot write PNG");
    return 0;
}

int compare(int argc, char** argv) {
    if (argc < 4) throw InvalidArgument("compare needs two PNG files");
    const Image a = readPng(argv[2]), b = readPng(argv[3]);
    if (a.width != b.width || a.height != b.height) throw InvalidArgument("the images differ in size");
    const int channels = std::min(std::min(a.channels, b.channels), 3);
    long total = 0, within1 = 0, within2 = 0, excluded = 0;
    int worst = 0;
    for (size_t p = 0; p < static_cast<size_t>(a.width) * a.height; ++p)
        for (int c = 0; c < channels; ++c) {
            const int va = a.pixels[p * a.channels + c], vb = b.pixels[p * b.channels + c];
            if (vb == 255 && va < 128) {
                ++excluded;
                continue;
            }
            const int d = std::abs(va - vb);
            ++total;
            within1 += d <= 1;
            within2 += d <= 2;
            worst = std::max(worst, d);
        }
    const double p1 = 100.0 * within1 / std::max(total, 1L), p2 = 100.0 * within2 / std::max(total, 1L);
    std::printf("%ld values: %.4f%% within 1, %.4f%% within 2, max %d, %ld excluded (255 where the first is below 128)\n", total, p1, p2, worst,
                excluded);
    const double min2 = std::atof(arg(argc, argv, "--min-within2", "0"));
    return p2 + 1e-9 < min2 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: mc-upscale devices | upscale -i IN -o OUT -m DIR -n NAME [-g N] [-t T] [--precision P] [--repeat N] | "
                             "compare A.png B.png [--min-within2 PCT] | synth W H OUT.png\n");
        return 2;
    }
    try {
        const std::string command = argv[1];
        if (command == "devices") return devices();
        if (command == "upscale") return upscale(argc, argv);
        if (command == "compare") return compare(argc, argv);
        if (command == "synth") return synth(argc, argv);
        std::fprintf(stderr, "unknown command '%s'\n", command.c_str());
        return 2;
    } catch (...) {
        const ErrorReport report = describeError(std::current_exception());
        std::fprintf(stderr, "error: %s\n", report.message.c_str());
        return 1;
    }
}
