#pragma once
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace esrgan {

class Network;

// How a forward pass runs on any backend, computed once when the model loads:
// - order: the layers in file order (the loader checks that every blob is produced before it is read);
// - aliases: Split outputs share their input's storage (`root`);
// - lifetimes: the layer that produces each blob and the last one that reads it;
// - placement: Concat outputs are made of their inputs' storage. Each storage root gets a group (one
//   buffer region) and a channel offset in it, so producers write straight into their channel range of
//   the Concat output; a Concat copies only the inputs that cannot be placed (`concatCopies`: one read
//   twice, or one whose range another writer already owns);
// - memory(input): for one input shape, the buffers ("slots") the groups live in, reused between
//   groups that are never alive at once.
// Channel counts do not depend on the input's height and width, so the placement is shape-free.
class ExecutionPlan {
public:
    explicit ExecutionPlan(const Network& net);

    int root(int blob) const { return root_[blob]; }
    int producer(int blob) const { return producer_[blob]; }  // -1 for the network input
    int lastUse(int blob) const { return lastUse_[blob]; }    // layer count for the network output
    // Inputs of Concat layer `layer` (indices into its bottoms) that it copies into place.
    const std::vector<int>& concatCopies(int layer) const { return concatCopies_[layer]; }

    // A blob's storage for one input shape: slot, first channel inside the slot's group layout, and
    // the group's channel count. On a channels-last backend the blob starts `channel` floats into the
    // slot with a pitch of `groupChannels`; on a planar one it starts `channel * plane` elements in.
    struct View {
        int slot = 0;
        int channel = 0;
        int groupChannels = 0;
    };
    struct Memory {
        std::vector<Shape> shapes;          // per blob
        std::vector<View> views;            // per blob
        std::vector<uint64_t> slotElements; // per slot: elements (plane * group channels) it must hold
        uint64_t totalElements() const;
    };
    Memory memory(const std::vector<Shape>& shapes) const;

private:
    struct Group {
        int channels = 0;  // extent of the group's channel range
        int start = 0;     // first layer that writes it (-1: the network input)
        int end = 0;       // last layer that reads or writes it
        int sizeBlob = 0;  // a member whose height and width give the group's plane
    };
    std::vector<int> root_, producer_, lastUse_;
    std::vector<int> groupOf_;   // per blob
    std::vector<int> channelOf_; // per blob: offset inside its group
    std::vector<Group> groups_;
    std::vector<int> groupOrder_;  // groups by start
    std::vector<std::vector<int>> concatCopies_;
};

}  // namespace esrgan
