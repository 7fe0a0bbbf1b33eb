#include "model/network.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <map>
#include <set>

#include "core/errors.h"
#include "model/param_reader.h"
#include "model/weight_reader.h"
#include "ops/convolution.h"
#include "ops/spatial.h"
#include "ops/structural.h"

namespace esrgan {

Network::~Network() = default;

std::unique_ptr<Network> Network::load(const std::string& paramPath, const std::string& binPath) {
    ModelSpec spec = readParamFile(paramPath);
    std::unique_ptr<Network> net(new Network());
    for (const auto& layerSpec : spec.layers) net->layers_.push_back(createLayer(layerSpec, paramPath));

    std::map<std::string, int> blobIds;
    std::set<std::string> layerNames;
    for (size_t i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec& l = spec.layers[i];
        std::string where = paramPath + ":" + std::to_string(l.line) + ": layer '" + l.name + "'";
        if (!layerNames.insert(l.name).second) throw ModelError(where + ": duplicate layer name");
        std::vector<int> bottoms, tops;
        for (const auto& b : l.bottoms) {
            auto it = blobIds.find(b);
            if (it == blobIds.end()) throw ModelError(where + " reads blob '" + b + "' before any layer produces it");
            bottoms.push_back(it->second);
        }
        for (const auto& t : l.tops) {
            if (blobIds.count(t)) throw ModelError(where + " produces blob '" + t + "', which another layer already produced");
            blobIds[t] = static_cast<int>(net->blobNames_.size());
            tops.push_back(static_cast<int>(net->blobNames_.size()));
            net->blobNames_.push_back(t);
        }
        net->bottoms_.push_back(bottoms);
        net->tops_.push_back(tops);
    }
    if (static_cast<int>(net->blobNames_.size()) != spec.blobCount)
        throw ModelError(paramPath + ": the header declares " + std::to_string(spec.blobCount) + " blobs but the layers produce " +
                         std::to_string(net->blobNames_.size()));
    net->wire(paramPath);

    WeightReader reader(binPath);
    for (auto& layer : net->layers_) {
        try {
            layer->loadWeights(reader);
        } catch (const ModelError& e) {
            std::string message = e.what();
            if (message.find(binPath) == std::string::npos) throw ModelError(binPath + ": " + message);
            throw;
        }
    }
    if (reader.consumed() != reader.size())
        throw ModelError(binPath + ": " + std::to_string(reader.size() - reader.consumed()) +
                         " bytes are left after the last layer's weights (does this .bin belong to " + paramPath + "?)");
    net->inferProperties(paramPath);
    return net;
}

void Network::wire(const std::string& paramPath) {
    for (size_t i = 0; i < layers_.size(); ++i) {
        if (layers_[i]->type() != "Input") continue;
        if (inputLayer_ >= 0) throw ModelError(paramPath + ": the model has more than one Input layer");
        if (tops_[i].size() != 1 || !bottoms_[i].empty())
            throw ModelError(paramPath + ": Input layer '" + layers_[i]->name() + "' must have no inputs and one output");
        inputLayer_ = static_cast<int>(i);
        inputBlob_ = tops_[i][0];
    }
    if (inputLayer_ < 0) throw ModelError(paramPath + ": the model has no Input layer");

    lastUse_.assign(blobNames_.size(), -1);
    for (size_t i = 0; i < layers_.size(); ++i)
        for (int b : bottoms_[i]) lastUse_[b] = static_cast<int>(i);
    std::vector<int> unread;
    for (size_t b = 0; b < blobNames_.size(); ++b)
        if (lastUse_[b] < 0) unread.push_back(static_cast<int>(b));
    if (unread.size() == 1) {
        outputBlob_ = unread[0];
    } else {
        for (int b : unread)
            if (blobNames_[b] == "output") outputBlob_ = b;
        if (outputBlob_ < 0) {
            std::string names;
            for (int b : unread) names += (names.empty() ? "'" : ", '") + blobNames_[b] + "'";
            throw ModelError(paramPath + ": cannot tell the output blob: " +
                             (unread.empty() ? std::string("every blob is consumed") : "several blobs are never consumed: " + names));
        }
    }
    lastUse_[outputBlob_] = static_cast<int>(layers_.size());

    storageOf_.resize(blobNames_.size());
    for (size_t b = 0; b < blobNames_.size(); ++b) storageOf_[b] = static_cast<int>(b);
    for (size_t i = 0; i < layers_.size(); ++i)
        if (layers_[i]->type() == "Split")
            for (int t : tops_[i]) storageOf_[t] = storageOf_[bottoms_[i][0]];
    planConcatChains();
}

// Dense blocks (RRDB) concatenate [x, c1], then [x, c1, c2], ... Instead of copying every prefix
// again, the chain shares one buffer: each member copies only its new inputs and hands on a
// channel-prefix view, which the convolutions read directly.
void Network::planConcatChains() {
    concatChainHead_.assign(layers_.size(), -1);
    std::vector<int> extendedBy(layers_.size(), -1);
    auto roots = [&](size_t i) {
        std::vector<int> r;
        for (int b : bottoms_[i]) r.push_back(storageOf_[b]);
        return r;
    };
    for (size_t i = 0; i < layers_.size(); ++i) {
        if (layers_[i]->type() != "Concat") continue;
        const std::vector<int> mine = roots(i);
        for (size_t j = i + 1; j < layers_.size(); ++j) {
            if (layers_[j]->type() != "Concat") continue;
            const std::vector<int> theirs = roots(j);
            if (theirs.size() > mine.size() && std::equal(mine.begin(), mine.end(), theirs.begin())) {
                extendedBy[i] = static_cast<int>(j);
                break;
            }
        }
    }
    for (size_t i = 0; i < layers_.size(); ++i) {
        if (extendedBy[i] < 0) continue;
        int head = extendedBy[i];
        while (extendedBy[head] >= 0) head = extendedBy[head];
        concatChainHead_[i] = head;
        concatChainHead_[head] = head;
    }
}

Tensor Network::runConcatInChain(size_t layer, const std::vector<Tensor>& inputs, const std::vector<Shape>& shapes,
                                 std::map<int, ChainBuffer>& chains) const {
    const int head = concatChainHead_[layer];
    ChainBuffer& chain = chains[head];
    if (chain.buffer.empty()) chain.buffer = Tensor::uninitialized(shapes[tops_[head][0]]);
    // The leading inputs are the previous member's, already in the buffer: copy only the rest.
    int offset = 0;
    for (const Tensor& in : inputs) {
        if (offset >= chain.filled) copyChannels(in, chain.buffer, offset);
        offset += in.c();
    }
    chain.filled = offset;
    Tensor out = static_cast<int>(layer) == head ? chain.buffer : Tensor::channelPrefix(chain.buffer, offset);
    if (static_cast<int>(layer) == head) chains.erase(head);
    return out;
}

std::vector<Shape> Network::inferShapes(const Shape& input) const {
    std::vector<Shape> shapes(blobNames_.size());
    for (size_t i = 0; i < layers_.size(); ++i) {
        std::vector<Shape> in;
        if (static_cast<int>(i) == inputLayer_) in.push_back(input);
        for (int b : bottoms_[i]) in.push_back(shapes[b]);
        std::vector<Shape> out = layers_[i]->outputShapes(in);
        for (size_t k = 0; k < tops_[i].size(); ++k) shapes[tops_[i][k]] = out[k];
    }
    return shapes;
}

Shape Network::outputShape(const Shape& input) const { return inferShapes(input)[outputBlob_]; }

size_t Network::peakBytes(const Shape& input) const {
    std::vector<Shape> shapes = inferShapes(input);
    std::vector<int> storageLastUse(blobNames_.size(), -1);
    for (size_t b = 0; b < blobNames_.size(); ++b)
        storageLastUse[storageOf_[b]] = std::max(storageLastUse[storageOf_[b]], lastUse_[b]);
    auto bytes = [&](int b) {
        const Shape& s = shapes[b];
        return static_cast<size_t>(s.c) * s.h * s.w * sizeof(float);
    };
    size_t live = bytes(inputBlob_), peak = live;
    for (size_t i = 0; i < layers_.size(); ++i) {
        size_t produced = 0, largestRead = 0;
        for (int t : tops_[i])
            if (storageOf_[t] == t) produced += bytes(t);
        for (int b : bottoms_[i]) largestRead = std::max(largestRead, bytes(b));
        live += produced;
        // Convolutions may hold a reordered copy of their input for a moment.
        peak = std::max(peak, live + (layers_[i]->type() == "Convolution" ? largestRead / 4 : 0));
        for (int b : bottoms_[i])
            if (storageOf_[b] == b && storageLastUse[b] == static_cast<int>(i)) live -= bytes(b);
        for (int t : tops_[i])
            if (storageOf_[t] == t && storageLastUse[t] < 0) live -= bytes(t);
    }
    return peak;
}

void Network::inferProperties(const std::string& paramPath) {
    // Sides must be multiples of every Reorg stride on the way.
    for (const auto& layer : layers_)
        if (layer->type() == "Reorg") alignment_ *= static_cast<const ReorgLayer&>(*layer).stride();

    // Input channels: as declared, or the first count the graph accepts.
    int declared = static_cast<const InputLayer&>(*layers_[inputLayer_]).channels();
    std::vector<int> candidates = declared > 0 ? std::vector<int>{declared} : std::vector<int>{3, 1, 4};
    std::string firstError;
    for (int c : candidates) {
        try {
            inferShapes(Shape{c, 32 * alignment_, 32 * alignment_});
            inputChannels_ = c;
            break;
        } catch (const ModelError& e) {
            if (firstError.empty()) firstError = e.what();
        } catch (const std::exception&) {
        }
    }
    if (inputChannels_ == 0) throw ModelError(paramPath + ": " + firstError);

    std::vector<Geometry> geo(blobNames_.size());
    for (size_t i = 0; i < layers_.size(); ++i) {
        std::vector<Geometry> in;
        if (static_cast<int>(i) == inputLayer_) in.push_back(Geometry{});
        for (int b : bottoms_[i]) in.push_back(geo[b]);
        Geometry g = layers_[i]->geometry(in);
        for (int t : tops_[i]) geo[t] = g;
    }
    receptiveRadius_ = static_cast<int>(std::ceil(geo[outputBlob_].radius - 1e-6));

    const int a = alignment_;
    Shape probeA{inputChannels_, 16 * a, 24 * a}, probeB{inputChannels_, 40 * a, 8 * a};
    Shape outA, outB;
    try {
        outA = outputShape(probeA);
        outB = outputShape(probeB);
    } catch (const ModelError& e) {
        throw ModelError(paramPath + ": " + e.what());
    }
    outputChannels_ = outA.c;
    bool integral = outA.w % probeA.w == 0 && outA.w / probeA.w == outA.h / probeA.h && outA.h % probeA.h == 0 &&
                    outB.w == probeB.w * (outA.w / probeA.w) && outB.h == probeB.h * (outA.w / probeA.w);
    if (!integral || outA.w < probeA.w)
        throw ModelError(paramPath + ": the output is not an integer upscale of the input (" + std::to_string(probeA.w) + "x" +
                         std::to_string(probeA.h) + " -> " + std::to_string(outA.w) + "x" + std::to_string(outA.h) + ")");
    scale_ = outA.w / probeA.w;
}

namespace {
// MC_PROFILE=1 prints the time spent per layer type after each forward pass (to stderr).
struct LayerProfile {
    bool enabled = std::getenv("MC_PROFILE") != nullptr;
    std::map<std::string, std::pair<double, int>> byType;
    void add(const std::string& type, std::chrono::steady_clock::time_point start) {
        auto& slot = byType[type];
        slot.first += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        slot.second++;
    }
    ~LayerProfile() {
        if (!enabled) return;
        for (const auto& kv : byType)
            std::fprintf(stderr, "mc-profile %-14s %5d layers %9.3f s\n", kv.first.c_str(), kv.second.second, kv.second.first);
    }
};
}  // namespace

Tensor Network::forward(const Tensor& input, const std::function<void()>& afterLayer) {
    LayerProfile profile;
    if (input.c() != inputChannels_)
        throw InvalidArgument("the model takes " + std::to_string(inputChannels_) + " channels, got " + std::to_string(input.c()));
    if (input.h() % alignment_ != 0 || input.w() % alignment_ != 0)
        throw InvalidArgument("input sides must be multiples of " + std::to_string(alignment_));
    ExecContext ctx{&cpu_};
    const std::vector<Shape> shapes = inferShapes(input.shape());
    std::map<int, ChainBuffer> chains;
    std::vector<Tensor> blobs(blobNames_.size());
    for (size_t i = 0; i < layers_.size(); ++i) {
        std::vector<Tensor> in;
        if (static_cast<int>(i) == inputLayer_) in.push_back(input);
        for (int b : bottoms_[i]) in.push_back(blobs[b]);
        auto start = std::chrono::steady_clock::now();
        std::vector<Tensor> out;
        if (concatChainHead_[i] >= 0) {
            out.push_back(runConcatInChain(i, in, shapes, chains));
        } else {
            if (!layers_[i]->acceptsChannelViews())
                for (Tensor& t : in) t = t.densified();
            out = layers_[i]->forward(in, ctx);
        }
        if (profile.enabled) profile.add(layers_[i]->type(), start);
        for (size_t k = 0; k < tops_[i].size(); ++k) blobs[tops_[i][k]] = std::move(out[k]);
        for (int b : bottoms_[i])
            if (lastUse_[b] == static_cast<int>(i)) blobs[b] = Tensor();
        for (int t : tops_[i])
            if (lastUse_[t] < 0) blobs[t] = Tensor();
        if (afterLayer) afterLayer();
    }
    return blobs[outputBlob_].densified();
}

}  // namespace esrgan
