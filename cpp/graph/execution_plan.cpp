#include "graph/execution_plan.h"

#include <algorithm>
#include <numeric>

#include "graph/network.h"

namespace esrgan {

namespace {

struct Place {
    int group;
    long off;
};

// Merging storage roots into Concat groups. `members[g]` are the roots placed in group g; a Concat
// output is made of its members' ranges, every other root is written by one layer, as are the
// ranges a Concat fills by copying (kept per Concat root, relative to it).
struct Placer {
    const std::vector<int>& channels;  // per blob
    std::vector<Place> place;
    std::vector<std::vector<int>> members;
    std::vector<char> isConcat;
    std::vector<std::vector<std::pair<long, int>>> copied;

    explicit Placer(const std::vector<int>& ch, const std::vector<int>& root)
        : channels(ch), place(ch.size()), members(ch.size()), isConcat(ch.size(), 0), copied(ch.size()) {
        for (size_t b = 0; b < ch.size(); ++b) {
            place[b] = Place{static_cast<int>(b), 0};
            if (root[b] == static_cast<int>(b)) members[b].push_back(static_cast<int>(b));
        }
    }

    bool writersDisjoint(int group) const {
        std::vector<std::pair<long, long>> ranges;
        for (int m : members[group]) {
            if (!isConcat[m]) ranges.emplace_back(place[m].off, place[m].off + channels[m]);
            for (const auto& c : copied[m]) ranges.emplace_back(place[m].off + c.first, place[m].off + c.first + c.second);
        }
        std::sort(ranges.begin(), ranges.end());
        for (size_t k = 1; k < ranges.size(); ++k)
            if (ranges[k].first < ranges[k - 1].second) return false;
        return true;
    }

    // Moves root r's whole group so that r lands at `target` in `group`, unless writers would overlap.
    bool tryMerge(int r, int group, long target) {
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
    }
};

}  // namespace

ExecutionPlan::ExecutionPlan(const Network& net) {
    const int blobs = static_cast<int>(net.blobCount()), layers = static_cast<int>(net.layerCount());
    const std::vector<Shape> probe = net.blobShapes(Shape{net.inputChannels(), 32 * net.alignment(), 32 * net.alignment()});
    std::vector<int> channels(blobs);
    for (int b = 0; b < blobs; ++b) channels[b] = probe[b].c;

    root_.resize(blobs);
    std::iota(root_.begin(), root_.end(), 0);
    producer_.assign(blobs, -1);
    lastUse_.assign(blobs, -1);
    for (int i = 0; i < layers; ++i) {
        for (int b : net.layerBottoms(i)) lastUse_[b] = i;
        for (int t : net.layerTops(i)) {
            producer_[t] = i;
            if (net.layer(i).kind() == OpKind::Split) root_[t] = root_[net.layerBottoms(i)[0]];
        }
    }
    producer_[net.inputBlobIndex()] = -1;  // written before the first layer
    lastUse_[net.outputBlobIndex()] = layers;

    Placer p(channels, root_);
    concatCopies_.resize(layers);
    for (int i = 0; i < layers; ++i) {
        if (net.layer(i).kind() != OpKind::Concat) continue;
        const int r = net.layerTops(i)[0];
        const std::vector<int>& bottoms = net.layerBottoms(i);
        const std::vector<Place> savedPlace = p.place;
        const std::vector<std::vector<int>> savedMembers = p.members;
        p.isConcat[r] = 1;
        std::vector<int> copies;
        long offs = 0;
        for (size_t k = 0; k < bottoms.size(); ++k) {
            const int c = channels[bottoms[k]];
            if (!p.tryMerge(root_[bottoms[k]], p.place[r].group, p.place[r].off + offs)) {
                p.copied[r].emplace_back(offs, c);
                copies.push_back(static_cast<int>(k));
            }
            offs += c;
        }
        if (!copies.empty() && !p.writersDisjoint(p.place[r].group)) {
            // A copied range would overwrite another writer: copy every input instead.
            p.place = savedPlace;
            p.members = savedMembers;
            p.copied[r].clear();
            copies.clear();
            offs = 0;
            for (size_t k = 0; k < bottoms.size(); ++k) {
                p.copied[r].emplace_back(offs, channels[bottoms[k]]);
                copies.push_back(static_cast<int>(k));
                offs += channels[bottoms[k]];
            }
        }
        concatCopies_[i] = copies;
    }

    // Groups: channel extent (offsets rebased to 0) and lifetime.
    std::vector<int> groupIndex(blobs, -1);
    std::vector<long> minOff(blobs, 0);
    for (int g = 0; g < blobs; ++g) {
        if (p.members[g].empty()) continue;
        long lo = p.place[p.members[g][0]].off, hi = lo;
        for (int m : p.members[g]) {
            lo = std::min(lo, p.place[m].off);
            hi = std::max(hi, p.place[m].off + channels[m]);
        }
        minOff[g] = lo;
        groupIndex[g] = static_cast<int>(groups_.size());
        groups_.push_back(Group{static_cast<int>(hi - lo), layers + 1, -2, p.members[g][0]});
    }
    groupOf_.resize(blobs);
    channelOf_.resize(blobs);
    for (int b = 0; b < blobs; ++b) {
        const Place& at = p.place[root_[b]];
        groupOf_[b] = groupIndex[at.group];
        channelOf_[b] = static_cast<int>(at.off - minOff[at.group]);
        Group& grp = groups_[groupOf_[b]];
        grp.start = std::min(grp.start, producer_[b]);
        grp.end = std::max({grp.end, lastUse_[b], producer_[b]});
    }
    groupOrder_.resize(groups_.size());
    std::iota(groupOrder_.begin(), groupOrder_.end(), 0);
    std::stable_sort(groupOrder_.begin(), groupOrder_.end(), [&](int a, int b) { return groups_[a].start < groups_[b].start; });
}

uint64_t ExecutionPlan::Memory::totalElements() const {
    uint64_t total = 0;
    for (uint64_t e : slotElements) total += e;
    return total;
}

ExecutionPlan::Memory ExecutionPlan::memory(const std::vector<Shape>& shapes) const {
    Memory out;
    out.shapes = shapes;
    std::vector<int> slotOf(groups_.size());
    std::vector<int> busyUntil;
    for (int gi : groupOrder_) {
        const Group& grp = groups_[gi];
        const Shape& s = shapes[grp.sizeBlob];
        const uint64_t need = static_cast<uint64_t>(grp.channels) * s.h * s.w;
        int best = -1;
        for (size_t k = 0; k < busyUntil.size(); ++k) {
            if (busyUntil[k] >= grp.start) continue;
            const uint64_t have = out.slotElements[k];
            if (best < 0) {
                best = static_cast<int>(k);
                continue;
            }
            const uint64_t bestHave = out.slotElements[best];
            // the smallest slot that is large enough, else the largest one (it grows)
            const bool fitsNow = have >= need, bestFits = bestHave >= need;
            if ((fitsNow && (!bestFits || have < bestHave)) || (!fitsNow && !bestFits && have > bestHave)) best = static_cast<int>(k);
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
    out.views.resize(shapes.size());
    for (size_t b = 0; b < shapes.size(); ++b) {
        const int g = groupOf_[b];
        out.views[b] = View{slotOf[g], channelOf_[b], groups_[g].channels};
    }
    return out;
}

}  // namespace esrgan
