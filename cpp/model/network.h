#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "cpu/cpu_engine.h"
#include "ops/layer.h"

namespace esrgan {

// A loaded model: layers in file order, blobs wired by name, one input and one output blob
// found from the graph, scale and receptive field inferred from it.
class Network {
public:
    static std::unique_ptr<Network> load(const std::string& paramPath, const std::string& binPath);
    ~Network();

    int inputChannels() const { return inputChannels_; }
    int outputChannels() const { return outputChannels_; }
    int scale() const { return scale_; }
    int alignment() const { return alignment_; }  // input sides must be multiples of this
    int receptiveRadius() const { return receptiveRadius_; }
    size_t layerCount() const { return layers_.size(); }
    const std::string& inputBlob() const { return blobNames_[inputBlob_]; }
    const std::string& outputBlob() const { return blobNames_[outputBlob_]; }

    Shape outputShape(const Shape& input) const;
    // Bytes of blobs alive at once at the peak of a forward pass.
    size_t peakBytes(const Shape& input) const;

    // Read-only graph access for other executors (cpp/vulkan): layers in file order, the blobs
    // each reads and writes (indices into blobShapes()), and every blob's shape for an input.
    const Layer& layer(size_t i) const { return *layers_[i]; }
    const std::vector<int>& layerBottoms(size_t i) const { return bottoms_[i]; }
    const std::vector<int>& layerTops(size_t i) const { return tops_[i]; }
    size_t blobCount() const { return blobNames_.size(); }
    int inputLayerIndex() const { return inputLayer_; }
    int inputBlobIndex() const { return inputBlob_; }
    int outputBlobIndex() const { return outputBlob_; }
    std::vector<Shape> blobShapes(const Shape& input) const { return inferShapes(input); }

    // `afterLayer` is called after every layer; it may throw (e.g. Cancelled) to stop the pass.
    Tensor forward(const Tensor& input, const std::function<void()>& afterLayer = {});

private:
    Network() = default;
    void wire(const std::string& paramPath);
    void inferProperties(const std::string& paramPath);
    std::vector<Shape> inferShapes(const Shape& input) const;
    void planConcatChains();
    struct ChainBuffer {
        Tensor buffer;
        int filled = 0;  // channels copied so far
    };
    Tensor runConcatInChain(size_t layer, const std::vector<Tensor>& inputs, const std::vector<Shape>& shapes,
                            std::map<int, ChainBuffer>& chains) const;

    std::vector<std::unique_ptr<Layer>> layers_;
    std::vector<std::vector<int>> bottoms_, tops_;
    std::vector<std::string> blobNames_;
    std::vector<int> lastUse_;     // per blob: index of the last layer that reads it
    std::vector<int> storageOf_;   // per blob: the blob whose storage it shares (Split aliases)
    // Per layer: for a Concat in a chain (each member's inputs begin with the previous member's),
    // the chain's last member, whose buffer all members share; -1 otherwise.
    std::vector<int> concatChainHead_;
    int inputLayer_ = -1, inputBlob_ = -1, outputBlob_ = -1;
    int inputChannels_ = 0, outputChannels_ = 0, scale_ = 1, alignment_ = 1, receptiveRadius_ = 0;
    CpuEngine cpu_;
};

}  // namespace esrgan
