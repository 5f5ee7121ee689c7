#include "store/layer_commit.hpp"

#include "util/clock.hpp"

namespace roost::store {

void link_from_lower_layers(const Store& store, layer::LayerWriter& writer, const std::vector<image::Digest>& chain,
                            size_t index) {
  if (writer.pending_lower_links().empty()) return;
  std::vector<UniqueFd> owned;
  std::vector<int> fds;
  for (size_t j = index; j-- > 0;) {  // top first
    owned.push_back(store.open_layer_diff(chain[j]));
    fds.push_back(owned.back().get());
  }
  writer.link_from_lowers(fds);
}

LayerRecord written_layer_record(const layer::LayerWriter& writer, const std::vector<image::Digest>& chain,
                                 size_t index, bool compressed) {
  const layer::Stats& st = writer.stats();
  LayerRecord record;
  record.chain_id = chain[index];
  record.diff_id = st.diff_id;
  if (index > 0) record.parent = chain[index - 1];
  record.diff_size = st.diff_size;
  record.apparent_bytes = st.apparent_bytes;
  record.allocated_bytes = st.allocated_bytes;
  record.inodes = st.inodes;
  if (compressed) {
    record.compressed_digest = st.blob_digest;
    record.compressed_size = st.blob_size;
  }
  record.created = now_rfc3339();
  return record;
}

}  // namespace roost::store
