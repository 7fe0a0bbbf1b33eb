#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/execution_plan.h"
#include "ops/layer.h"

namespace esrgan {

// A loaded model, independent of any backend: layers in file order (which is an execution order:
// every blob is produced before it is read), blobs wired by name, one input and one output blob
// found from the graph, scale and receptive field inferred from it, and the execution plan that every
// backend follows.
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

    const Layer& layer(size_t i) const { return *layers_[i]; }
    const std::vector<int>& layerBottoms(size_t i) const { return bottoms_[i]; }
    const std::vector<int>& layerTops(size_t i) const { return tops_[i]; }
    size_t blobCount() const { return blobNames_.size(); }
    int inputLayerIndex() const { return inputLayer_; }
    int inputBlobIndex() const { return inputBlob_; }
    int outputBlobIndex() const { return outputBlob_; }
    const ExecutionPlan& plan() const { return *plan_; }

    // Every blob's shape for an input; throws ModelError when the input does not fit the graph.
    std::vector<Shape> blobShapes(const Shape& input) const;
    Shape outputShape(const Shape& input) const;
    // Throws InvalidArgument unless `input` has the model's channels and aligned sides.
    void checkInput(const Shape& input) const;

private:
    Network() = default;
    void wire(const std::string& paramPath);
    void inferProperties(const std::string& paramPath);

    std::vector<std::unique_ptr<Layer>> layers_;
    std::vector<std::vector<int>> bottoms_, tops_;
    std::vector<std::string> blobNames_;
    int inputLayer_ = -1, inputBlob_ = -1, outputBlob_ = -1;
    int inputChannels_ = 0, outputChannels_ = 0, scale_ = 1, alignment_ = 1, receptiveRadius_ = 0;
    std::unique_ptr<ExecutionPlan> plan_;
};

}  // namespace esrgan
