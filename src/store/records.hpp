// layer.json and image.json: the store's records as JSON (nlohmann), with a version field so a
// later roost can tell an old record from a new one.
#pragma once

#include <string>

#include "store/store.hpp"

namespace roost::store {

std::string layer_record_json(const LayerRecord& record);
// Throws roost::Error naming `where` for a record that is not valid JSON or misses a field.
LayerRecord parse_layer_record(const std::string& text, const std::string& where);

std::string image_record_json(const ImageRecord& record);
ImageRecord parse_image_record(const std::string& text, const std::string& where);

}  // namespace roost::store
