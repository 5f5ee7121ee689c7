// roost inspect [--format TEMPLATE] [--type container|image|all] NAME...: containers and images,
// as podman: a container first (no namespace entered for those), else an image. `roost container
// inspect` is the same with the type fixed to container.
#include "cli/engine/command.hpp"
#include "engine/container_context.hpp"
#include "engine/container_inspect.hpp"
#include "engine/image_ops.hpp"
#include "engine/inspect.hpp"
#include "util/error.hpp"

namespace roost::cli {
namespace {

std::vector<std::string> names;
std::string format, type = "all";

void add_options(CLI::App& cmd) {
  cmd.add_option("-f,--format", format, "a Go template ({{.State.Status}}, {{json .Config}}, {{range .Mounts}}...{{end}})");
  cmd.add_option("-t,--type", type, "container, image or all")->check(CLI::IsMember({"container", "image", "all"}));
  cmd.add_option("name", names, "containers or images, by name or ID")->required();
}

std::optional<nlohmann::ordered_json> find_and_inspect_image(std::optional<store::Store>& store,
                                                             const engine::GlobalOptions& global, const std::string& name) {
  if (!store) store.emplace(engine::open_store(global));
  const std::optional<store::ImageRecord> img = engine::find_image(*store, name);
  if (!img) return std::nullopt;
  return engine::inspect_image(*store, *img);
}

int run(const engine::GlobalOptions& global, CLI::App&) {
  const ctr::ContainerStore containers = engine::open_containers(global);
  std::optional<store::Store> store;
  std::vector<nlohmann::ordered_json> items;
  std::vector<std::string> errors;
  for (const std::string& name : names) {
    try {
      std::optional<std::string> id;
      if (type != "image") id = containers.resolve(name);
      if (id) {
        const engine::ContainerView view{engine::container_config(containers, *id), engine::current_state(containers, *id)};
        items.push_back(engine::container_inspect_json(view, containers.paths(*id)));
        continue;
      }
      if (type == "container") throw Error("no such container " + name);
      std::optional<nlohmann::ordered_json> image = find_and_inspect_image(store, global, name);
      if (!image) throw Error("no such object: \"" + name + "\"");
      items.push_back(*image);
    } catch (const Error& e) {
      errors.push_back(std::string("inspecting object: ") + e.what());
    }
  }
  return print_inspected(items, errors, format);
}

}  // namespace

const EngineCommand kInspectCommand{nullptr, "inspect", "show containers' or images' configuration and state", add_options, run};

namespace {

void add_container_options(CLI::App& cmd) {
  type = "container";
  cmd.add_option("-f,--format", format, "a Go template ({{.State.Status}}, {{json .Config}}, {{range .Mounts}}...{{end}})");
  cmd.add_option("name", names, "containers, by name or ID")->required();
}

}  // namespace

const EngineCommand kContainerInspectCommand{"container", "inspect", "show containers' configuration and state",
                                             add_container_options, run};

}  // namespace roost::cli
