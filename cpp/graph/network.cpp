#include "graph/network.h"

#include <cmath>
#include <map>
#include <set>

#include "core/errors.h"
#include "graph/param_reader.h"
#include "graph/weight_reader.h"
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
    net->plan_ = std::make_unique<ExecutionPlan>(*net);
    return net;
}

void Network::wire(const std::string& paramPath) {
    for (size_t i = 0; i < layers_.size(); ++i) {
        if (layers_[i]->kind() != OpKind::Input) continue;
        if (inputLayer_ >= 0) throw ModelError(paramPath + ": the model has more than one Input layer");
        if (tops_[i].size() != 1 || !bottoms_[i].empty())
            throw ModelError(paramPath + ": Input layer '" + layers_[i]->name() + "' must have no inputs and one output");
        inputLayer_ = static_cast<int>(i);
        inputBlob_ = tops_[i][0];
    }
    if (inputLayer_ < 0) throw ModelError(paramPath + ": the model has no Input layer");

    std::vector<char> read(blobNames_.size(), 0);
    for (size_t i = 0; i < layers_.size(); ++i)
        for (int b : bottoms_[i]) read[b] = 1;
    std::vector<int> unread;
    for (size_t b = 0; b < blobNames_.size(); ++b)
        if (!read[b]) unread.push_back(static_cast<int>(b));
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
}

std::vector<Shape> Network::blobShapes(const Shape& input) const {
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

Shape Network::outputShape(const Shape& input) const { return blobShapes(input)[outputBlob_]; }

void Network::checkInput(const Shape& input) const {
    if (input.c != inputChannels_)
        throw InvalidArgument("the model takes " + std::to_string(inputChannels_) + " channels, got " + std::to_string(input.c));
    if (input.h <= 0 || input.w <= 0) throw InvalidArgument("the input is empty");
    if (input.h % alignment_ != 0 || input.w % alignment_ != 0)
        throw InvalidArgument("input sides must be multiples of " + std::to_string(alignment_));
}

void Network::inferProperties(const std::string& paramPath) {
    // Sides must be multiples of every Reorg stride on the way.
    for (const auto& layer : layers_)
        if (layer->kind() == OpKind::Reorg) alignment_ *= static_cast<const ReorgLayer&>(*layer).stride();

    // Input channels: as declared, or the first count the graph accepts.
    int declared = static_cast<const InputLayer&>(*layers_[inputLayer_]).channels();
    std::vector<int> candidates = declared > 0 ? std::vector<int>{declared} : std::vector<int>{3, 1, 4};
    std::string firstError;
    for (int c : candidates) {
        try {
            blobShapes(Shape{c, 32 * alignment_, 32 * alignment_});
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

}  // namespace esrgan
