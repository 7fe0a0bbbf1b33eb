#include "vulkan/vk_network.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>

#include "core/errors.h"
#include "core/resample.h"
#include "ops/convolution.h"
#include "ops/elementwise.h"
#include "ops/spatial.h"
#include "vulkan/conv3x3_winograd.h"
#include "vulkan/half.h"
#include "vulkan/push_constants.h"

namespace esrgan::vk {

namespace {

constexpr int kConvBlock = 8;       // output channels per invocation of conv.comp
constexpr int kConvPixels = 4;      // horizontally adjacent output pixels per invocation of conv.comp
constexpr int kConv3x3Pixels = 8;   // the same for conv3x3.comp
constexpr int kLinearLocal = 256;   // eltwise / binary / prelu / copy work group
constexpr int kImageLocal = 16;     // interp / pixelshuffle / reorg work group: 16 x 16 pixels
constexpr size_t kMaxPlans = 16;

uint32_t divUp(uint64_t a, uint32_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

int convBlocks(int outC) { return (outC + kConvBlock - 1) / kConvBlock; }

size_t convPackedFloats(const ConvolutionLayer& conv) {
    const ConvGeometry& g = conv.convGeometry();
    const size_t blocks = convBlocks(conv.outputChannels());
    return blocks * conv.inputChannels() * g.kernelH * g.kernelW * kConvBlock + blocks * kConvBlock;
}

// Weights [ob][ic][ky][kx][8] (zero for padding channels), then the bias [ob][8].
void packConv(const ConvolutionLayer& conv, float* out) {
    const ConvGeometry& g = conv.convGeometry();
    const int inC = conv.inputChannels(), outC = conv.outputChannels(), taps = g.kernelH * g.kernelW;
    const int blocks = convBlocks(outC);
    const std::vector<float>& w = conv.weights();
    const std::vector<float>& b = conv.biases();
    float* p = out;
    for (int ob = 0; ob < blocks; ++ob)
        for (int ic = 0; ic < inC; ++ic)
            for (int t = 0; t < taps; ++t)
                for (int j = 0; j < kConvBlock; ++j) {
                    const int o = ob * kConvBlock + j;
                    *p++ = o < outC ? w[(static_cast<size_t>(o) * inC + ic) * taps + t] : 0.f;
                }
    for (int o = 0; o < blocks * kConvBlock; ++o) *p++ = o < outC ? b[o] : 0.f;
}

// Blocks of 8 output channels per invocation of the subgroup conv3x3 shader: 1 on GPUs (registers).
// lavapipe (a "cpu" device) loads storage buffer values lane by lane, so there more blocks per
// invocation win by reusing each loaded input value: the choice minimises the blocks computed
// (rounded up to a multiple) times the relative cost per block measured there with
// tools/vk_conv_bench.cpp (1 block 1.0, 2 blocks 0.85, 4 blocks 0.72). MC_VK_CONV3X3_BLOCKS=1|2|4
// forces the count on any device with subgroup broadcasts (benchmarking).
int conv3x3Blocks(int outBlocks, bool cpuDevice) {
    if (const char* forced = std::getenv("MC_VK_CONV3X3_BLOCKS")) {
        const int n = std::atoi(forced);
        if (n == 1 || n == 2 || n == 4) return n;
    }
    if (!cpuDevice) return 1;
    int best = 1;
    double bestCost = outBlocks;
    for (const auto& [n, perBlock] : {std::pair{2, 0.85}, std::pair{4, 0.72}}) {
        const double cost = (outBlocks + n - 1) / n * n * perBlock;
        if (cost < bestCost) best = n, bestCost = cost;
    }
    return best;
}

bool isConv(const Layer& l) { return l.type() == "Convolution"; }

std::vector<uint16_t> toHalves(const float* values, size_t count) {
    std::vector<uint16_t> out(count);
    for (size_t k = 0; k < count; ++k) out[k] = floatToHalf(values[k]);
    return out;
}

// The input tile as planar (c, h, w) elements of the device's storage type.
void writeStaging(const Tensor& t, void* staging, bool fp16) {
    if (!fp16) return toPlanar(t, static_cast<float*>(staging));
    auto* out = static_cast<uint16_t*>(staging);
    for (int c = 0; c < t.c(); ++c)
        for (int y = 0; y < t.h(); ++y)
            for (int x = 0; x < t.w(); ++x) *out++ = floatToHalf(t.at(c, y, x));
}

Tensor readStaging(const void* staging, const Shape& shape, bool fp16) {
    if (!fp16) return fromPlanar(static_cast<const float*>(staging), shape);
    Tensor t = Tensor::uninitialized(shape);
    const auto* in = static_cast<const uint16_t*>(staging);
    for (int c = 0; c < shape.c; ++c)
        for (int y = 0; y < shape.h; ++y)
            for (int x = 0; x < shape.w; ++x) t.at(c, y, x) = halfToFloat(*in++);
    return t;
}

}  // namespace

// ---- layout: where every blob lives for one input shape (no device objects) ----------------------

struct VulkanNetwork::Layout {
    std::vector<Shape> shapes;                   // per blob
    struct View {
        int slot = 0;
        uint64_t offset = 0;  // elements
    };
    std::vector<View> view;                      // per blob
    std::vector<uint64_t> slotElements;          // per slot: the elements this shape needs
    std::vector<std::vector<int>> concatCopies;  // per layer: Concat inputs (indices) copied, not placed
};

VulkanNetwork::Layout VulkanNetwork::layout(const Shape& input) const {
    const Network& n = net_;
    const int blobs = static_cast<int>(n.blobCount()), layers = static_cast<int>(n.layerCount());
    Layout out;
    out.shapes = n.blobShapes(input);
    out.concatCopies.resize(layers);
    const std::vector<Shape>& shapes = out.shapes;

    // Split tops alias their input: `root` is the blob that owns the storage.
    std::vector<int> root(blobs), producer(blobs, -1), lastUse(blobs, -1);
    std::iota(root.begin(), root.end(), 0);
    for (int i = 0; i < layers; ++i) {
        for (int b : n.layerBottoms(i)) lastUse[b] = i;
        for (int t : n.layerTops(i)) {
            producer[t] = i;
            if (n.layer(i).type() == "Split") root[t] = root[n.layerBottoms(i)[0]];
        }
    }
    producer[n.inputBlobIndex()] = -1;  // uploaded before the first layer
    lastUse[n.outputBlobIndex()] = layers;

    // Placement of each root: a group (one buffer region) and a channel offset in it. Concat outputs
    // are made of their inputs' ranges; every other root is written by one layer ("writer"), as are
    // the ranges that a Concat fills by copying (kept per Concat root, relative to it).
    struct Place {
        int group;
        long off;
    };
    std::vector<Place> place(blobs);
    std::vector<std::vector<int>> members(blobs);
    std::vector<char> isConcat(blobs, 0);
    std::vector<std::vector<std::pair<long, int>>> copied(blobs);
    for (int b = 0; b < blobs; ++b) {
        place[b] = Place{b, 0};
        if (root[b] == b) members[b].push_back(b);
    }
    auto writersDisjoint = [&](int group) {
        std::vector<std::pair<long, long>> ranges;
        for (int m : members[group]) {
            if (!isConcat[m]) ranges.emplace_back(place[m].off, place[m].off + shapes[m].c);
            for (const auto& c : copied[m]) ranges.emplace_back(place[m].off + c.first, place[m].off + c.first + c.second);
        }
        std::sort(ranges.begin(), ranges.end());
        for (size_t k = 1; k < ranges.size(); ++k)
            if (ranges[k].first < ranges[k - 1].second) return false;
        return true;
    };
    auto tryMerge = [&](int r, int group, long target) {
        if (place[r].group == group) return place[r].off == target;
        const int from = place[r].group;
        const long delta = target - place[r].off;
        std::vector<int> moved = members[from];
        for (int m : moved) place[m] = Place{group, place[m].off + delta};
        const size_t before = members[group].size();
        members[group].insert(members[group].end(), moved.begin(), moved.end());
        members[from].clear();
        if (writersDisjoint(group)) return true;
        for (int m : moved) place[m] = Place{from, place[m].off - delta};
        members[group].resize(before);
        members[from] = moved;
        return false;
    };
    for (int i = 0; i < layers; ++i) {
        if (n.layer(i).type() != "Concat") continue;
        const int r = n.layerTops(i)[0];
        const std::vector<int>& bottoms = n.layerBottoms(i);
        const std::vector<Place> savedPlace = place;
        const std::vector<std::vector<int>> savedMembers = members;
        isConcat[r] = 1;
        std::vector<int> copies;
        long offs = 0;
        for (size_t k = 0; k < bottoms.size(); ++k) {
            const int c = shapes[bottoms[k]].c;
            if (!tryMerge(root[bottoms[k]], place[r].group, place[r].off + offs)) {
                copied[r].emplace_back(offs, c);
                copies.push_back(static_cast<int>(k));
            }
            offs += c;
        }
        if (!copies.empty() && !writersDisjoint(place[r].group)) {
            // A copied range would overwrite another writer: copy every input instead.
            place = savedPlace;
            members = savedMembers;
            copied[r].clear();
            copies.clear();
            offs = 0;
            for (size_t k = 0; k < bottoms.size(); ++k) {
                copied[r].emplace_back(offs, shapes[bottoms[k]].c);
                copies.push_back(static_cast<int>(k));
                offs += shapes[bottoms[k]].c;
            }
        }
        out.concatCopies[i] = copies;
    }

    // Groups: extent, lifetime, then buffers ("slots") reused between groups that are never alive together.
    struct Group {
        int id;
        long minOff, maxEnd;
        uint64_t plane;
        int start, end;
    };
    std::vector<Group> groups;
    std::vector<int> groupIndex(blobs, -1);
    for (int g = 0; g < blobs; ++g) {
        if (members[g].empty()) continue;
        Group grp{g, 0, 0, static_cast<uint64_t>(shapes[g].h) * shapes[g].w, layers + 1, -2};
        bool first = true;
        for (int m : members[g]) {
            grp.minOff = first ? place[m].off : std::min(grp.minOff, place[m].off);
            grp.maxEnd = first ? place[m].off + shapes[m].c : std::max(grp.maxEnd, place[m].off + shapes[m].c);
            first = false;
        }
        groupIndex[g] = static_cast<int>(groups.size());
        groups.push_back(grp);
    }
    for (int b = 0; b < blobs; ++b) {
        Group& grp = groups[groupIndex[place[root[b]].group]];
        grp.start = std::min(grp.start, producer[b]);
        grp.end = std::max({grp.end, lastUse[b], producer[b]});
    }
    std::vector<int> order(groups.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return groups[a].start < groups[b].start; });
    std::vector<int> slotOf(groups.size());
    std::vector<int> busyUntil;
    for (int gi : order) {
        const Group& grp = groups[gi];
        const uint64_t need = static_cast<uint64_t>(grp.maxEnd - grp.minOff) * grp.plane;
        int best = -1;
        for (size_t s = 0; s < busyUntil.size(); ++s) {
            if (busyUntil[s] >= grp.start) continue;
            const uint64_t have = out.slotElements[s];
            if (best < 0) {
                best = static_cast<int>(s);
                continue;
            }
            const uint64_t bestHave = out.slotElements[best];
            // smallest slot that is large enough, else the largest one (it grows)
            const bool fitsNow = have >= need, bestFits = bestHave >= need;
            if ((fitsNow && (!bestFits || have < bestHave)) || (!fitsNow && !bestFits && have > bestHave)) best = static_cast<int>(s);
        }
        if (best < 0) {
            best = static_cast<int>(busyUntil.size());
            busyUntil.push_back(-3);
            out.slotElements.push_back(0);
        }
        out.slotElements[best] = std::max(out.slotElements[best], need);
        busyUntil[best] = grp.end;
        slotOf[gi] = best;
    }
    out.view.resize(blobs);
    for (int b = 0; b < blobs; ++b) {
        const int gi = groupIndex[place[root[b]].group];
        out.view[b] = Layout::View{slotOf[gi], static_cast<uint64_t>(place[root[b]].off - groups[gi].minOff) * groups[gi].plane};
    }
    return out;
}

std::pair<size_t, size_t> VulkanNetwork::bufferBytes(const Shape& input) const {
    Layout l = layout(input);
    size_t largest = 0, total = 0;
    for (uint64_t e : l.slotElements) {
        largest = std::max<size_t>(largest, e * elementBytes_);
        total += e * elementBytes_;
    }
    const ScratchBytes scratch = scratchFor(l);
    largest = std::max<size_t>({largest, scratch.v, scratch.m});
    total += scratch.v + scratch.m;
    const Shape out = l.shapes[net_.outputBlobIndex()];
    const size_t staging = (static_cast<size_t>(input.c) * input.h * input.w + static_cast<size_t>(out.c) * out.h * out.w) * elementBytes_;
    return {largest, total + staging};
}

bool VulkanNetwork::fits(const Shape& input) const {
    return bufferBytes(input).first <= device_->limits().maxStorageBufferRange;
}

// ---- plans: steps, descriptor sets and command buffers for one input shape -----------------------

struct VulkanNetwork::Plan {
    enum class Kind { Slot, Weights, Aux, Scratch };
    struct Ref {
        Kind kind = Kind::Weights;
        int index = 0;
    };
    struct Step {
        int layer = 0;
        VkPipeline pipeline = VK_NULL_HANDLE;
        Ref bind[Device::kBindings];
        Push push;
        uint32_t groups[3] = {1, 1, 1};
        double cost = 0;
    };
    struct Segment {
        size_t firstStep = 0, endStep = 0;
        int firstLayer = 0, endLayer = 0;
        VkCommandBuffer commandBuffer = VK_NULL_HANDLE;
    };

    Device* device = nullptr;
    VkCommandPool pool = VK_NULL_HANDLE;
    Shape input, output;
    Layout layout;
    std::vector<Step> steps;
    std::vector<Segment> segments;
    std::vector<float> taps;
    Buffer aux;
    VkDescriptorPool descriptorPool = VK_NULL_HANDLE;
    std::vector<VkDescriptorSet> sets;
    bool recorded = false;
    std::vector<uint64_t> recordedSlots;
    uint64_t recordedIn = 0, recordedOut = 0;
    ScratchBytes scratch;  // Winograd V and M, the largest any convolution of this plan needs
    uint64_t recordedScratch[2] = {0, 0};
    uint64_t lastUse = 0;

    ~Plan() {
        if (!device) return;
        const auto& fn = device->fn();
        for (const Segment& s : segments)
            if (s.commandBuffer) fn.vkFreeCommandBuffers(device->handle(), pool, 1, &s.commandBuffer);
        if (descriptorPool) fn.vkDestroyDescriptorPool(device->handle(), descriptorPool, nullptr);
    }
};

bool VulkanNetwork::autoFp16(const Device& device) {
    if (const char* forced = std::getenv("MC_VK_PRECISION")) {
        const std::string v = forced;
        if (v == "fp16" || v == "fp32") return v == "fp16" && device.fp16Storage();
    }
    return device.fp16Storage() && device.info().type != "cpu";
}

VulkanNetwork::VulkanNetwork(const Network& net, std::shared_ptr<Device> device, GpuPrecision precision)
    : net_(net), device_(std::move(device)) {
    if (precision == GpuPrecision::Fp16 && !device_->fp16Storage())
        throw InvalidArgument(device_->info().name + " has no 16-bit storage buffers (storageBuffer16BitAccess): use precision fp32 or auto");
    fp16_ = precision == GpuPrecision::Fp16 || (precision == GpuPrecision::Auto && autoFp16(*device_));
    elementBytes_ = fp16_ ? kFp16Bytes : kFp32Bytes;
    const auto& fn = device_->fn();
    VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pci.queueFamilyIndex = device_->queueFamily();
    check(fn.vkCreateCommandPool(device_->handle(), &pci, nullptr, &pool_), "vkCreateCommandPool");
    VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkResult r = fn.vkCreateFence(device_->handle(), &fci, nullptr, &fence_);
    if (r != VK_SUCCESS) {
        fn.vkDestroyCommandPool(device_->handle(), pool_, nullptr);
        throw VulkanError("vkCreateFence", r);
    }
    try {
        uploadWeights();
    } catch (...) {
        weightChunks_.clear();
        fn.vkDestroyFence(device_->handle(), fence_, nullptr);
        fn.vkDestroyCommandPool(device_->handle(), pool_, nullptr);
        throw;
    }
}

VulkanNetwork::~VulkanNetwork() {
    const auto& fn = device_->fn();
    fn.vkDeviceWaitIdle(device_->handle());
    plans_.clear();
    fn.vkDestroyFence(device_->handle(), fence_, nullptr);
    fn.vkDestroyCommandPool(device_->handle(), pool_, nullptr);
}

void VulkanNetwork::upload(Buffer& dst, const void* data, size_t bytes) {
    if (bytes == 0) return;
    Buffer staging(*device_, bytes, true);
    std::memcpy(staging.mapped(), data, bytes);
    const auto& fn = device_->fn();
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool_;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    VkCommandBuffer cb = VK_NULL_HANDLE;
    check(fn.vkAllocateCommandBuffers(device_->handle(), &ai, &cb), "vkAllocateCommandBuffers");
    try {
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        check(fn.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer");
        VkBufferCopy region{0, 0, bytes};
        fn.vkCmdCopyBuffer(cb, staging.handle(), dst.handle(), 1, &region);
        VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
        fn.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                                nullptr);
        check(fn.vkEndCommandBuffer(cb), "vkEndCommandBuffer");
        device_->submitAndWait(cb, fence_);
    } catch (...) {
        fn.vkFreeCommandBuffers(device_->handle(), pool_, 1, &cb);
        throw;
    }
    fn.vkFreeCommandBuffers(device_->handle(), pool_, 1, &cb);
}

void VulkanNetwork::uploadWeights() {
    const size_t limit = std::min<size_t>(device_->limits().maxStorageBufferRange, size_t(256) << 20) / elementBytes_;
    std::vector<std::vector<float>> chunks(1);
    weightOf_.assign(net_.layerCount(), WeightRef{});
    for (size_t i = 0; i < net_.layerCount(); ++i) {
        const Layer& layer = net_.layer(i);
        size_t floats = 0;
        if (isConv(layer)) floats = convPackedFloats(static_cast<const ConvolutionLayer&>(layer));
        else if (layer.type() == "PReLU") floats = static_cast<const PReluLayer&>(layer).slopes().size();
        if (floats == 0) continue;
        floats = (floats + 3) / 4 * 4;  // keep every layer's weights vec4-aligned
        if (floats > limit)
            throw VulkanError("layer '" + layer.name() + "' has " + mib(floats * elementBytes_) + " of weights, more than one buffer of this device holds");
        if (chunks.back().size() + floats > limit) chunks.emplace_back();
        std::vector<float>& chunk = chunks.back();
        weightOf_[i] = WeightRef{static_cast<int>(chunks.size() - 1), static_cast<uint32_t>(chunk.size())};
        const size_t at = chunk.size();
        chunk.resize(at + floats, 0.f);
        if (isConv(layer)) {
            packConv(static_cast<const ConvolutionLayer&>(layer), chunk.data() + at);
        } else {
            const auto& slopes = static_cast<const PReluLayer&>(layer).slopes();
            std::copy(slopes.begin(), slopes.end(), chunk.begin() + static_cast<long>(at));
        }
    }
    for (auto& chunk : chunks) {
        if (chunk.empty()) chunk.assign(4, 0.f);  // a model without weights still binds a buffer
        weightChunks_.emplace_back(*device_, chunk.size() * elementBytes_, false);
        if (fp16_) {
            const std::vector<uint16_t> halves = toHalves(chunk.data(), chunk.size());
            upload(weightChunks_.back(), halves.data(), halves.size() * kFp16Bytes);
        } else {
            upload(weightChunks_.back(), chunk.data(), chunk.size() * kFp32Bytes);
        }
    }
}

void VulkanNetwork::buildSteps(Plan& plan) {
    const Layout& L = plan.layout;
    using Kind = Plan::Kind;
    auto slotRef = [&](int blob) { return Plan::Ref{Kind::Slot, L.view[blob].slot}; };
    auto off = [&](int blob) { return static_cast<int64_t>(L.view[blob].offset); };
    auto add = [&](int layer, const std::string& shader, std::vector<int32_t> spec, Plan::Ref a, Plan::Ref b, Plan::Ref out,
                   Plan::Ref w, const Push& push, uint32_t gx, uint32_t gy, uint32_t gz, double cost) {
        const auto& max = device_->limits().maxComputeWorkGroupCount;
        if (gx > max[0] || gy > max[1] || gz > max[2])
            throw InvalidArgument("the tile is too large for this device's dispatch limits; use a smaller tile (-t)");
        Plan::Step s;
        s.layer = layer;
        s.pipeline = device_->pipeline(shaderName(shader), spec);
        s.bind[0] = a;
        s.bind[1] = b;
        s.bind[2] = out;
        s.bind[3] = w;
        s.push = push;
        s.groups[0] = gx;
        s.groups[1] = gy;
        s.groups[2] = gz;
        s.cost = cost;
        plan.steps.push_back(s);
    };
    const Plan::Ref none{Kind::Weights, 0};

    for (size_t li = 0; li < net_.layerCount(); ++li) {
        const int i = static_cast<int>(li);
        const Layer& layer = net_.layer(li);
        const std::string& type = layer.type();
        const std::vector<int>& bottoms = net_.layerBottoms(li);
        const std::vector<int>& tops = net_.layerTops(li);
        if (type == "Input" || type == "Split") continue;
        const int top = tops[0];
        const Shape& os = L.shapes[top];
        const uint64_t plane = static_cast<uint64_t>(os.h) * os.w;

        if (type == "Convolution") {
            const auto& conv = static_cast<const ConvolutionLayer&>(layer);
            const ConvGeometry& g = conv.convGeometry();
            const Shape& is = L.shapes[bottoms[0]];
            const ConvPads pads = conv.padsForInput(is.h, is.w);
            const FusedActivation& act = conv.activation();
            auto param = [&](size_t k, float d) { return k < act.params.size() ? act.params[k] : d; };
            float a0 = 0.f, a1 = 0.f;
            if (act.type == 2) a0 = param(0, 0.f);
            if (act.type == 3) a0 = param(0, -INFINITY), a1 = param(1, INFINITY);
            if (act.type == 6) a0 = param(0, 0.2f), a1 = param(1, 0.5f);
            const WeightRef w = weightOf_[li];
            const uint64_t wFloats = static_cast<uint64_t>(convBlocks(os.c)) * is.c * g.kernelH * g.kernelW * kConvBlock;
            Push p;
            p.i(off(bottoms[0])).i(off(top)).i(w.offset / 4).i((w.offset + wFloats) / 4);
            p.i(is.w).i(is.h).i(is.c).i(os.w).i(os.h).i(os.c).i(pads.left).i(pads.top);
            p.f(conv.padValue()).f(a0).f(a1);
            const bool threeByThree = g.kernelW == 3 && g.kernelH == 3 && g.strideW == 1 && g.strideH == 1 && g.dilationW == 1 &&
                                      g.dilationH == 1;
            const bool subgroup = threeByThree && device_->subgroupBroadcast8();
            const int blocks = subgroup ? conv3x3Blocks(convBlocks(os.c), device_->info().type == "cpu") : 1;
            const std::string shader = !threeByThree ? "conv"
                                       : !subgroup   ? "conv3x3_plain"
                                       : blocks == 1 ? "conv3x3"
                                                     : "conv3x3_b" + std::to_string(blocks);
            const double macs = static_cast<double>(plane) * os.c * is.c * g.kernelH * g.kernelW;
            const Conv3x3Choice choice = threeByThree ? chooseConv3x3(*device_, is.c, os.c, os.w, os.h) : Conv3x3Choice{};
            if (choice.winograd()) {
                appendWinogradSteps(plan, li, choice, bottoms[0], top);
            } else if (threeByThree) {
                // conv3x3.glsl numbers its invocations linearly over (8-pixel block, row): 1D groups of 64,
                // spilling into y past the 65535 groups every device supports in x.
                const uint64_t invocations = static_cast<uint64_t>(divUp(os.w, kConv3x3Pixels)) * os.h;
                const uint32_t groups = divUp(invocations, 64), gx = std::min<uint32_t>(groups, 65535);
                add(i, shader, {64, 1, g.kernelW, g.kernelH, g.dilationW, g.dilationH, g.strideW, g.strideH, act.type}, slotRef(bottoms[0]),
                    none, slotRef(top), Plan::Ref{Kind::Weights, w.chunk}, p, gx, divUp(groups, gx), divUp(convBlocks(os.c), blocks), macs);
            } else {
                // Work group shape (64 invocations): the one that wastes the fewest pixels on this output.
                int lx = 8;
                uint64_t best = UINT64_MAX;
                for (int x : {16, 8, 4, 2, 1}) {
                    const int y = 64 / x;
                    const uint64_t covered = static_cast<uint64_t>(divUp(divUp(os.w, kConvPixels), x)) * x * kConvPixels * divUp(os.h, y) * y;
                    if (covered < best) best = covered, lx = x;
                }
                const int ly = 64 / lx;
                add(i, shader, {lx, ly, g.kernelW, g.kernelH, g.dilationW, g.dilationH, g.strideW, g.strideH, act.type}, slotRef(bottoms[0]),
                    none, slotRef(top), Plan::Ref{Kind::Weights, w.chunk}, p, divUp(divUp(os.w, kConvPixels), lx), divUp(os.h, ly),
                    divUp(convBlocks(os.c), blocks), macs);
            }
        } else if (type == "Eltwise") {
            const auto& e = static_cast<const EltwiseLayer&>(layer);
            std::vector<float> coeffs = e.coeffs().empty() ? std::vector<float>(bottoms.size(), 1.f) : e.coeffs();
            for (size_t k = 1; k < bottoms.size(); ++k) {
                const int a = k == 1 ? bottoms[0] : top;
                Push p;
                p.i(off(a)).i(off(bottoms[k])).i(off(top)).i(static_cast<int64_t>(plane)).i(e.op()).f(k == 1 ? coeffs[0] : 1.f).f(coeffs[k]);
                add(i, "eltwise", {}, slotRef(a), slotRef(bottoms[k]), slotRef(top), none, p, divUp(plane, kLinearLocal), os.c, 1,
                    static_cast<double>(plane) * os.c);
            }
        } else if (type == "BinaryOp") {
            const auto& bin = static_cast<const BinaryOpLayer&>(layer);
            Push p;
            if (bin.withScalar()) {
                p.i(off(bottoms[0])).i(off(bottoms[0])).i(off(top)).i(static_cast<int64_t>(plane)).i(bin.op()).i(3).f(bin.scalar());
                add(i, "binary", {}, slotRef(bottoms[0]), slotRef(bottoms[0]), slotRef(top), none, p, divUp(plane, kLinearLocal), os.c, 1,
                    static_cast<double>(plane) * os.c);
            } else {
                const Shape& as = L.shapes[bottoms[0]];
                const Shape& bs = L.shapes[bottoms[1]];
                const int mode = as == bs ? 0 : (bs.h == 1 && bs.w == 1 ? 1 : 2);
                p.i(off(bottoms[0])).i(off(bottoms[1])).i(off(top)).i(static_cast<int64_t>(plane)).i(bin.op()).i(mode).f(0.f);
                add(i, "binary", {}, slotRef(bottoms[0]), slotRef(bottoms[1]), slotRef(top), none, p, divUp(plane, kLinearLocal), os.c, 1,
                    static_cast<double>(plane) * os.c);
            }
        } else if (type == "PReLU") {
            const auto& prelu = static_cast<const PReluLayer&>(layer);
            const WeightRef w = weightOf_[li];
            Push p;
            p.i(off(bottoms[0])).i(off(top)).i(static_cast<int64_t>(plane)).i(w.offset).i(prelu.slopes().size() == 1 ? 1 : 0);
            add(i, "prelu", {}, slotRef(bottoms[0]), none, slotRef(top), Plan::Ref{Kind::Weights, w.chunk}, p, divUp(plane, kLinearLocal),
                os.c, 1, static_cast<double>(plane) * os.c);
        } else if (type == "Interp") {
            const auto& interp = static_cast<const InterpLayer&>(layer);
            const Shape& is = L.shapes[bottoms[0]];
            ResampleTaps ty, tx;
            interp.resampleTaps(is, ty, tx);
            auto append = [&plan](const ResampleTaps& t) {
                const int64_t at = static_cast<int64_t>(plan.taps.size());
                for (size_t k = 0; k < t.index.size(); ++k) {
                    float bits;
                    std::memcpy(&bits, &t.index[k], 4);
                    plan.taps.push_back(bits);
                    plan.taps.push_back(t.weight[k]);
                }
                return at;
            };
            const int64_t yOff = append(ty), xOff = append(tx);
            Push p;
            p.i(off(bottoms[0])).i(off(top)).i(is.w).i(is.h).i(os.w).i(os.h).i(ty.taps).i(tx.taps).i(yOff).i(xOff);
            add(i, "interp", {}, slotRef(bottoms[0]), Plan::Ref{Kind::Aux, 0}, slotRef(top), none, p, divUp(os.w, kImageLocal),
                divUp(os.h, kImageLocal), os.c, static_cast<double>(plane) * os.c * ty.taps * tx.taps);
        } else if (type == "PixelShuffle") {
            const auto& ps = static_cast<const PixelShuffleLayer&>(layer);
            Push p;
            p.i(off(bottoms[0])).i(off(top)).i(os.w).i(os.h).i(os.c).i(ps.factor()).i(ps.mode());
            add(i, "pixelshuffle", {}, slotRef(bottoms[0]), none, slotRef(top), none, p, divUp(os.w, kImageLocal), divUp(os.h, kImageLocal),
                os.c, static_cast<double>(plane) * os.c);
        } else if (type == "Reorg") {
            const auto& reorg = static_cast<const ReorgLayer&>(layer);
            Push p;
            p.i(off(bottoms[0])).i(off(top)).i(os.w).i(os.h).i(L.shapes[bottoms[0]].c).i(reorg.stride()).i(reorg.mode());
            add(i, "reorg", {}, slotRef(bottoms[0]), none, slotRef(top), none, p, divUp(os.w, kImageLocal), divUp(os.h, kImageLocal), os.c,
                static_cast<double>(plane) * os.c);
        } else if (type == "Concat") {
            long channel = 0;
            size_t next = 0;
            const std::vector<int>& copies = L.concatCopies[li];
            for (size_t k = 0; k < bottoms.size(); ++k) {
                const int c = L.shapes[bottoms[k]].c;
                if (next < copies.size() && copies[next] == static_cast<int>(k)) {
                    ++next;
                    Push p;
                    p.i(off(bottoms[k])).i(off(top) + static_cast<int64_t>(channel * plane)).i(static_cast<int64_t>(plane));
                    add(i, "copy", {}, slotRef(bottoms[k]), none, slotRef(top), none, p, divUp(plane, kLinearLocal), c, 1,
                        static_cast<double>(plane) * c);
                }
                channel += c;
            }
        } else {
            throw ModelError("layer '" + layer.name() + "': type " + type + " has no Vulkan implementation");
        }
    }

    // Segments: groups of whole layers submitted together; afterLayer runs when each finishes.
    double total = 0;
    for (const auto& s : plan.steps) total += s.cost;
    double threshold = std::max(total / 32, 2.5e8);
    if (const char* forced = std::getenv("MC_VK_SEGMENT_MACS")) threshold = std::atof(forced);  // benchmarks: 0 = one per layer
    const int layers = static_cast<int>(net_.layerCount());
    Plan::Segment seg;
    double acc = 0;
    size_t step = 0;
    for (int i = 0; i < layers; ++i) {
        while (step < plan.steps.size() && plan.steps[step].layer == i) acc += plan.steps[step++].cost;
        if (acc >= threshold || i == layers - 1) {
            seg.endStep = step;
            seg.endLayer = i + 1;
            plan.segments.push_back(seg);
            seg = Plan::Segment{};
            seg.firstStep = step;
            seg.firstLayer = i + 1;
            acc = 0;
        }
    }
}

VulkanNetwork::Plan& VulkanNetwork::planFor(const Shape& input) {
    const auto key = std::make_tuple(input.c, input.h, input.w);
    auto found = plans_.find(key);
    if (found != plans_.end()) {
        found->second->lastUse = ++useCounter_;
        return *found->second;
    }
    if (plans_.size() >= kMaxPlans) {
        auto oldest = plans_.begin();
        for (auto it = plans_.begin(); it != plans_.end(); ++it)
            if (it->second->lastUse < oldest->second->lastUse) oldest = it;
        plans_.erase(oldest);
    }
    auto plan = std::make_unique<Plan>();
    plan->device = device_.get();
    plan->pool = pool_;
    plan->input = input;
    plan->layout = layout(input);
    plan->output = plan->layout.shapes[net_.outputBlobIndex()];
    const uint64_t range = device_->limits().maxStorageBufferRange;
    for (uint64_t elements : plan->layout.slotElements)
        if (elements * elementBytes_ > range)
            throw InvalidArgument("a " + std::to_string(input.w) + "x" + std::to_string(input.h) + " tile needs a " + mib(elements * elementBytes_) +
                                  " buffer on the GPU but " + device_->info().name + " binds at most " + mib(range) +
                                  " per buffer; use a smaller tile size (-t)");
    plan->scratch = scratchFor(plan->layout);
    if (std::max(plan->scratch.v, plan->scratch.m) > range)
        throw InvalidArgument("a " + std::to_string(input.w) + "x" + std::to_string(input.h) + " tile needs a " +
                              mib(std::max(plan->scratch.v, plan->scratch.m)) + " Winograd buffer on the GPU but " + device_->info().name +
                              " binds at most " + mib(range) + " per buffer; use a smaller tile size (-t)");
    buildSteps(*plan);
    device_->savePipelineCache();  // the new plan's pipelines, for the next process
    if (plan->taps.empty()) plan->taps.assign(4, 0.f);
    plan->aux = Buffer(*device_, plan->taps.size() * 4, false);
    upload(plan->aux, plan->taps.data(), plan->taps.size() * 4);
    plan->lastUse = ++useCounter_;
    return *plans_.emplace(key, std::move(plan)).first->second;
}

void VulkanNetwork::ensureSlots(const Plan& plan) {
    const auto& need = plan.layout.slotElements;
    for (size_t s = 0; s < need.size(); ++s) {
        if (s >= slots_.size()) {
            slots_.emplace_back();
            slotGeneration_.push_back(0);
        }
        if (slots_[s].size() < need[s] * elementBytes_) {
            slots_[s] = Buffer();  // free first: the old contents are not needed
            slots_[s] = Buffer(*device_, std::max<uint64_t>(need[s] * elementBytes_, 16), false);
            slotGeneration_[s] = nextGeneration_++;
        }
    }
}

void VulkanNetwork::ensureStaging(Buffer& staging, uint64_t& generation, size_t bytes) {
    if (!staging.empty() && staging.size() >= bytes) return;
    staging = Buffer();
    staging = Buffer(*device_, std::max<size_t>(bytes, 16), true);
    generation = nextGeneration_++;
}

void VulkanNetwork::record(Plan& plan) {
    const auto& fn = device_->fn();
    VkDevice dev = device_->handle();
    const size_t steps = plan.steps.size();
    if (!plan.descriptorPool && steps > 0) {
        VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, static_cast<uint32_t>(steps * Device::kBindings)};
        VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
        pci.maxSets = static_cast<uint32_t>(steps);
        pci.poolSizeCount = 1;
        pci.pPoolSizes = &size;
        check(fn.vkCreateDescriptorPool(dev, &pci, nullptr, &plan.descriptorPool), "vkCreateDescriptorPool");
        std::vector<VkDescriptorSetLayout> layouts(steps, device_->setLayout());
        VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
        ai.descriptorPool = plan.descriptorPool;
        ai.descriptorSetCount = static_cast<uint32_t>(steps);
        ai.pSetLayouts = layouts.data();
        plan.sets.resize(steps);
        check(fn.vkAllocateDescriptorSets(dev, &ai, plan.sets.data()), "vkAllocateDescriptorSets");
    }
    auto bufferOf = [&](const Plan::Ref& r) -> VkBuffer {
        switch (r.kind) {
            case Plan::Kind::Slot: return slots_[r.index].handle();
            case Plan::Kind::Aux: return plan.aux.handle();
            case Plan::Kind::Scratch: return scratch_[r.index].handle();
            default: return weightChunks_[r.index].handle();
        }
    };
    std::vector<VkDescriptorBufferInfo> infos(steps * Device::kBindings);
    std::vector<VkWriteDescriptorSet> writes(steps);
    for (size_t s = 0; s < steps; ++s) {
        for (uint32_t b = 0; b < Device::kBindings; ++b)
            infos[s * Device::kBindings + b] = VkDescriptorBufferInfo{bufferOf(plan.steps[s].bind[b]), 0, VK_WHOLE_SIZE};
        writes[s] = VkWriteDescriptorSet{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[s].dstSet = plan.sets[s];
        writes[s].dstBinding = 0;
        writes[s].descriptorCount = Device::kBindings;
        writes[s].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[s].pBufferInfo = &infos[s * Device::kBindings];
    }
    if (steps > 0) fn.vkUpdateDescriptorSets(dev, static_cast<uint32_t>(steps), writes.data(), 0, nullptr);

    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    const Layout& L = plan.layout;
    const int inBlob = net_.inputBlobIndex(), outBlob = net_.outputBlobIndex();
    for (size_t si = 0; si < plan.segments.size(); ++si) {
        Plan::Segment& seg = plan.segments[si];
        if (!seg.commandBuffer) {
            VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
            ai.commandPool = pool_;
            ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
            ai.commandBufferCount = 1;
            check(fn.vkAllocateCommandBuffers(dev, &ai, &seg.commandBuffer), "vkAllocateCommandBuffers");
        }
        VkCommandBuffer cb = seg.commandBuffer;
        check(fn.vkResetCommandBuffer(cb, 0), "vkResetCommandBuffer");
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        check(fn.vkBeginCommandBuffer(cb, &bi), "vkBeginCommandBuffer");
        if (si == 0) {
            VkBufferCopy region{0, L.view[inBlob].offset * elementBytes_,
                                static_cast<VkDeviceSize>(plan.input.c) * plan.input.h * plan.input.w * elementBytes_};
            fn.vkCmdCopyBuffer(cb, stagingIn_.handle(), slots_[L.view[inBlob].slot].handle(), 1, &region);
            fn.vkCmdPipelineBarrier(cb, stages, stages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
        }
        for (size_t s = seg.firstStep; s < seg.endStep; ++s) {
            const Plan::Step& step = plan.steps[s];
            fn.vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, step.pipeline);
            fn.vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, device_->pipelineLayout(), 0, 1, &plan.sets[s], 0, nullptr);
            fn.vkCmdPushConstants(cb, device_->pipelineLayout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, Device::kPushBytes, step.push.words);
            fn.vkCmdDispatch(cb, step.groups[0], step.groups[1], step.groups[2]);
            fn.vkCmdPipelineBarrier(cb, stages, stages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
        }
        if (si + 1 == plan.segments.size()) {
            VkBufferCopy region{L.view[outBlob].offset * elementBytes_, 0,
                                static_cast<VkDeviceSize>(plan.output.c) * plan.output.h * plan.output.w * elementBytes_};
            fn.vkCmdCopyBuffer(cb, slots_[L.view[outBlob].slot].handle(), stagingOut_.handle(), 1, &region);
            VkMemoryBarrier toHost{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
            toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
            toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
            fn.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &toHost, 0, nullptr, 0, nullptr);
        }
        check(fn.vkEndCommandBuffer(cb), "vkEndCommandBuffer");
    }
    plan.recordedSlots.assign(slotGeneration_.begin(), slotGeneration_.begin() + static_cast<long>(plan.layout.slotElements.size()));
    plan.recordedIn = stagingInGeneration_;
    plan.recordedOut = stagingOutGeneration_;
    plan.recordedScratch[0] = scratchGeneration_[0];
    plan.recordedScratch[1] = scratchGeneration_[1];
    plan.recorded = true;
}

namespace {
struct Fault {
    std::mutex mutex;
    bool lost = false;
    long long at = 0;  // 0 = none; counts down per forward
    bool fromEnvironment = false;
};
Fault& fault() {
    static Fault f;
    return f;
}
void setFault(Fault& f, const std::string& spec) {
    f.at = 0;
    if (spec.empty()) return;
    const size_t atSign = spec.find('@');
    const std::string kind = spec.substr(0, atSign);
    if (atSign == std::string::npos || (kind != "oom" && kind != "lost"))
        throw InvalidArgument("a Vulkan fault is oom@N or lost@N, got '" + spec + "'");
    f.lost = kind == "lost";
    f.at = std::max(1LL, std::atoll(spec.c_str() + atSign + 1));
}
void injectedFault() {
    Fault& f = fault();
    std::lock_guard<std::mutex> lock(f.mutex);
    if (!f.fromEnvironment) {
        f.fromEnvironment = true;
        if (const char* env = std::getenv("MC_VULKAN_FAIL")) setFault(f, env);
    }
    if (f.at == 0) return;
    if (f.at > 1) {
        --f.at;
        return;
    }
    if (!f.lost) f.at = 0;
    throw VulkanError("vkQueueSubmit (injected fault)", f.lost ? VK_ERROR_DEVICE_LOST : VK_ERROR_OUT_OF_DEVICE_MEMORY);
}
}  // namespace

void VulkanNetwork::injectFault(const std::string& spec) {
    Fault& f = fault();
    std::lock_guard<std::mutex> lock(f.mutex);
    f.fromEnvironment = true;
    setFault(f, spec);
}

Tensor VulkanNetwork::forward(const Tensor& input, const std::function<void()>& afterLayer) {
    if (input.c() != net_.inputChannels())
        throw InvalidArgument("the model takes " + std::to_string(net_.inputChannels()) + " channels, got " + std::to_string(input.c()));
    if (input.h() % net_.alignment() != 0 || input.w() % net_.alignment() != 0)
        throw InvalidArgument("input sides must be multiples of " + std::to_string(net_.alignment()));
    std::lock_guard<std::mutex> lock(mutex_);
    injectedFault();
    Plan& plan = planFor(input.shape());
    ensureSlots(plan);
    ensureScratch(plan);
    ensureStaging(stagingIn_, stagingInGeneration_, input.size() * elementBytes_);
    ensureStaging(stagingOut_, stagingOutGeneration_, static_cast<size_t>(plan.output.c) * plan.output.h * plan.output.w * elementBytes_);
    bool current = plan.recorded && plan.recordedIn == stagingInGeneration_ && plan.recordedOut == stagingOutGeneration_;
    for (size_t s = 0; current && s < plan.recordedSlots.size(); ++s) current = plan.recordedSlots[s] == slotGeneration_[s];
    current = current && plan.recordedScratch[0] == scratchGeneration_[0] && plan.recordedScratch[1] == scratchGeneration_[1];
    if (!current) {
        plan.recorded = false;
        record(plan);
    }
    writeStaging(input, stagingIn_.mapped(), fp16_);
    for (const Plan::Segment& seg : plan.segments) {
        device_->submitAndWait(seg.commandBuffer, fence_);
        if (afterLayer)
            for (int i = seg.firstLayer; i < seg.endLayer; ++i) afterLayer();
    }
    return readStaging(stagingOut_.mapped(), plan.output, fp16_);
}


// ---- Winograd 3x3 convolutions (conv3x3_winograd.h) -----------------------------------------------

namespace {
bool isWinogradCandidate(const ConvolutionLayer& conv) {
    const ConvGeometry& g = conv.convGeometry();
    return g.kernelW == 3 && g.kernelH == 3 && g.strideW == 1 && g.strideH == 1 && g.dilationW == 1 && g.dilationH == 1;
}
}  // namespace

ScratchBytes VulkanNetwork::scratchFor(const Layout& L) const {
    ScratchBytes most;
    for (size_t li = 0; li < net_.layerCount(); ++li) {
        if (!isConv(net_.layer(li))) continue;
        const auto& conv = static_cast<const ConvolutionLayer&>(net_.layer(li));
        if (!isWinogradCandidate(conv)) continue;
        const Shape& is = L.shapes[net_.layerBottoms(li)[0]];
        const Shape& os = L.shapes[net_.layerTops(li)[0]];
        const Conv3x3Choice choice = chooseConv3x3(*device_, is.c, os.c, os.w, os.h);
        if (!choice.winograd()) continue;
        const ScratchBytes s = winogradScratch(choice, winogradGeometry(choice, is.c, os.c, os.w, os.h));
        most.v = std::max(most.v, s.v);
        most.m = std::max(most.m, s.m);
    }
    return most;
}

void VulkanNetwork::ensureScratch(const Plan& plan) {
    const uint64_t need[2] = {plan.scratch.v, plan.scratch.m};
    for (int k = 0; k < 2; ++k) {
        if (!scratch_[k].empty() && scratch_[k].size() >= need[k]) continue;
        if (need[k] == 0 && !scratch_[k].empty()) continue;
        scratch_[k] = Buffer();
        scratch_[k] = Buffer(*device_, std::max<uint64_t>(need[k], 16), false);
        scratchGeneration_[k] = nextGeneration_++;
    }
}

VulkanNetwork::WeightRef VulkanNetwork::winogradWeightRef(size_t li, int m, bool fp16) {
    const auto key = std::make_tuple(li, m, fp16);
    const auto found = winogradWeights_.find(key);
    if (found != winogradWeights_.end()) return found->second;
    const auto& conv = static_cast<const ConvolutionLayer&>(net_.layer(li));
    const std::vector<float> u = winogradWeights(conv, m);
    const size_t bytes = u.size() * (fp16 ? kFp16Bytes : kFp32Bytes);
    if (bytes > device_->limits().maxStorageBufferRange)
        throw VulkanError("layer '" + conv.name() + "' has " + mib(bytes) + " of Winograd weights, more than one buffer of this device holds");
    Buffer buffer(*device_, bytes, false);
    if (fp16) {
        const std::vector<uint16_t> halves = toHalves(u.data(), u.size());
        upload(buffer, halves.data(), bytes);
    } else {
        upload(buffer, u.data(), bytes);
    }
    weightChunks_.push_back(std::move(buffer));
    const WeightRef ref{static_cast<int>(weightChunks_.size() - 1), 0};
    winogradWeights_.emplace(key, ref);
    return ref;
}

void VulkanNetwork::appendWinogradSteps(Plan& plan, size_t li, const Conv3x3Choice& choice, int bottom, int top) {
    const auto& conv = static_cast<const ConvolutionLayer&>(net_.layer(li));
    const Layout& L = plan.layout;
    const Shape& is = L.shapes[bottom];
    const Shape& os = L.shapes[top];
    const ConvPads pads = conv.padsForInput(is.h, is.w);
    const FusedActivation& act = conv.activation();
    auto param = [&](size_t k, float d) { return k < act.params.size() ? act.params[k] : d; };
    WinogradConv c;
    c.inOff = static_cast<int64_t>(L.view[bottom].offset);
    c.outOff = static_cast<int64_t>(L.view[top].offset);
    c.inW = is.w, c.inH = is.h, c.inC = is.c;
    c.outW = os.w, c.outH = os.h, c.outC = os.c;
    c.padL = pads.left, c.padT = pads.top;
    c.padValue = conv.padValue();
    c.activation = act.type;
    if (act.type == 2) c.a0 = param(0, 0.f);
    if (act.type == 3) c.a0 = param(0, -INFINITY), c.a1 = param(1, INFINITY);
    if (act.type == 6) c.a0 = param(0, 0.2f), c.a1 = param(1, 0.5f);
    const WeightRef direct = weightOf_[li];
    const uint64_t directFloats = static_cast<uint64_t>(convBlocks(os.c)) * is.c * 9 * kConvBlock;
    c.biasOff = (direct.offset + static_cast<int64_t>(directFloats)) / 4;
    const WeightRef u = winogradWeightRef(li, choice.m(), choice.cooperative());
    c.uOff = u.offset;

    using Bind = WinogradDispatch::Bind;
    for (const WinogradDispatch& d : winogradDispatches(*device_, choice, c)) {
        const auto& max = device_->limits().maxComputeWorkGroupCount;
        if (d.groups[0] > max[0] || d.groups[1] > max[1] || d.groups[2] > max[2])
            throw InvalidArgument("the tile is too large for this device's dispatch limits; use a smaller tile (-t)");
        Plan::Step s;
        s.layer = static_cast<int>(li);
        s.pipeline = device_->pipeline(d.storageVariant ? shaderName(d.shader) : d.shader, d.spec);
        for (int b = 0; b < 4; ++b) {
            switch (d.bind[b]) {
                case Bind::Input: s.bind[b] = Plan::Ref{Plan::Kind::Slot, L.view[bottom].slot}; break;
                case Bind::Output: s.bind[b] = Plan::Ref{Plan::Kind::Slot, L.view[top].slot}; break;
                case Bind::V: s.bind[b] = Plan::Ref{Plan::Kind::Scratch, 0}; break;
                case Bind::M: s.bind[b] = Plan::Ref{Plan::Kind::Scratch, 1}; break;
                case Bind::U: s.bind[b] = Plan::Ref{Plan::Kind::Weights, u.chunk}; break;
                case Bind::Bias: s.bind[b] = Plan::Ref{Plan::Kind::Weights, direct.chunk}; break;
                case Bind::None: s.bind[b] = Plan::Ref{Plan::Kind::Weights, 0}; break;
            }
        }
        s.push = d.push;
        std::copy(d.groups, d.groups + 3, s.groups);
        s.cost = d.cost;
        plan.steps.push_back(s);
    }
}

}  // namespace esrgan::vk
