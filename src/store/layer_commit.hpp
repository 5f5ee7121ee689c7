// The last steps of writing one layer, the same for a pull and a load: hardlinks into the lower
// layers resolved (they are committed by then), and the layer's record made from what the
// LayerWriter counted.
#pragma once

#include <cstddef>
#include <vector>

#include "image/digest.hpp"
#include "layer/layer_writer.hpp"
#include "store/store.hpp"

namespace roost::store {

// Resolves `writer`'s pending lower links against the layers below chain[index] (top first).
void link_from_lower_layers(const Store& store, layer::LayerWriter& writer, const std::vector<image::Digest>& chain,
                            size_t index);

// The record of chain[index] as `writer` wrote it; the blob it came from is kept when compressed.
LayerRecord written_layer_record(const layer::LayerWriter& writer, const std::vector<image::Digest>& chain,
                                 size_t index, bool compressed);

}  // namespace roost::store
