// Ember's ArmNN shim: the only C++ in libwasi_nn_backend_armnn.so. It wraps ArmNN 20.08's
// TfLiteParser and IRuntime behind the C functions of armnn_shim.h. Every entry point catches
// every exception (ArmNN reports errors by throwing): nothing unwinds into Rust.

#include "armnn_shim.h"
#include "wasi_nn_backend.h"

#include <armnn/ArmNN.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <new>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ember_armnn_rt {
    armnn::IRuntimePtr runtime;
    explicit ember_armnn_rt(armnn::IRuntimePtr r) : runtime(std::move(r)) {}
};

struct ember_armnn_net {
    armnn::IRuntime *runtime; // owned by the ember_armnn_rt, which outlives every net
    armnn::NetworkId id;
    std::vector<armnn::BindingPointInfo> inputs;
    std::vector<armnn::BindingPointInfo> outputs;
};

namespace {

// Calls into ArmNN hold this lock shared; ember_armnn_net_probe holds it exclusively while it
// forks, so that no other thread is inside ArmNN (holding one of its locks) at that moment and
// the child cannot deadlock on a lock copied in the locked state.
std::shared_timed_mutex g_fork_lock;
using SharedGuard = std::shared_lock<std::shared_timed_mutex>;

// ArmNN 20.08's Runtime::LoadNetwork draws the network id from an unsynchronized counter, so two
// threads loading at once can get the same id and one network silently replaces the other. All
// loads and unloads on the shared runtime take this lock. It is only taken while g_fork_lock is
// held (shared), so it is never held at a fork and the probe child can take it too.
std::mutex g_load_lock;

void set_error(char *err, size_t err_len, const std::string &msg) {
    if (err == nullptr || err_len == 0) return;
    size_t n = msg.size() < err_len - 1 ? msg.size() : err_len - 1;
    std::memcpy(err, msg.data(), n);
    err[n] = '\0';
}

// Runs `body`, turning any exception into an error code and message.
template <typename F>
uint32_t guarded(char *err, size_t err_len, uint32_t code_for_armnn, F body) {
    try {
        return body();
    } catch (const armnn::LayerValidationException &e) {
        // Shapes that do not fit together: a malformed model.
        set_error(err, err_len, e.what());
        return EMBER_NN_INVALID_ARGUMENT;
    } catch (const armnn::GraphValidationException &e) {
        set_error(err, err_len, e.what());
        return EMBER_NN_INVALID_ARGUMENT;
    } catch (const armnn::Exception &e) {
        set_error(err, err_len, e.what());
        return code_for_armnn;
    } catch (const std::bad_alloc &) {
        set_error(err, err_len, "out of memory");
        return EMBER_NN_RUNTIME_ERROR;
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return EMBER_NN_RUNTIME_ERROR;
    } catch (...) {
        set_error(err, err_len, "unknown C++ exception");
        return EMBER_NN_RUNTIME_ERROR;
    }
}

// The parser throws ParseException both for malformed models and for operators it cannot
// translate; the message tells which. (The Rust side also turns "operator #N" errors caused by
// DEQUANTIZE-fed weights into unsupported_operation.)
uint32_t classify_parse_error(const std::string &msg) {
    if (msg.find("not supported") != std::string::npos ||
        msg.find("Unsupported") != std::string::npos ||
        msg.find("is out of range 0-") != std::string::npos /* an operator code newer than 20.08 */) {
        return EMBER_NN_UNSUPPORTED_OPERATION;
    }
    return EMBER_NN_INVALID_ARGUMENT;
}

uint32_t kind_of(armnn::DataType t) {
    switch (t) {
    case armnn::DataType::Float32: return EMBER_ARMNN_FLOAT32;
    case armnn::DataType::Float16: return EMBER_ARMNN_FLOAT16;
    case armnn::DataType::QAsymmU8: return EMBER_ARMNN_QASYMM_U8;
    case armnn::DataType::QAsymmS8: return EMBER_ARMNN_QASYMM_S8;
    case armnn::DataType::QSymmS8: return EMBER_ARMNN_QSYMM_S8;
    case armnn::DataType::Signed32: return EMBER_ARMNN_SIGNED32;
    case armnn::DataType::Boolean: return EMBER_ARMNN_BOOLEAN;
    default: return EMBER_ARMNN_OTHER;
    }
}

std::vector<armnn::BackendId> split_backends(const char *list) {
    std::vector<armnn::BackendId> ids;
    std::stringstream ss(list != nullptr ? list : "");
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) ids.emplace_back(item);
    }
    return ids;
}

} // namespace

extern "C" {

uint32_t ember_armnn_rt_create(const char *backends_path, ember_armnn_rt **out, char *err, size_t err_len) {
    SharedGuard guard(g_fork_lock);
    return guarded(err, err_len, EMBER_NN_RUNTIME_ERROR, [&]() -> uint32_t {
        armnn::IRuntime::CreationOptions options;
        if (backends_path != nullptr) options.m_DynamicBackendsPath = backends_path;
        armnn::IRuntimePtr runtime = armnn::IRuntime::Create(options);
        if (!runtime) {
            set_error(err, err_len, "armnn::IRuntime::Create failed");
            return EMBER_NN_RUNTIME_ERROR;
        }
        *out = new ember_armnn_rt(std::move(runtime));
        return EMBER_NN_SUCCESS;
    });
}

void ember_armnn_rt_destroy(ember_armnn_rt *rt) {
    SharedGuard guard(g_fork_lock);
    try {
        delete rt;
    } catch (...) {
        // A destructor that throws has nothing left to report to; the runtime is gone either way.
    }
}

size_t ember_armnn_rt_backends(const ember_armnn_rt *rt, char *buf, size_t buf_len) {
    SharedGuard guard(g_fork_lock);
    try {
        std::string joined;
        for (const armnn::BackendId &id : rt->runtime->GetDeviceSpec().GetSupportedBackends()) {
            if (!joined.empty()) joined += ',';
            joined += id.Get();
        }
        set_error(buf, buf_len, joined);
        return joined.size();
    } catch (...) {
        set_error(buf, buf_len, "");
        return 0;
    }
}

static uint32_t net_load(ember_armnn_rt *rt, const uint8_t *model, size_t model_len,
                         const char *backends, ember_armnn_net **out, char *err, size_t err_len) {
    // Stage 1: parse. ParseExceptions are classified by message.
    armnn::INetworkPtr network(nullptr, [](armnn::INetwork *) {});
    std::vector<armnn::BindingPointInfo> inputs, outputs;
    try {
        armnnTfLiteParser::ITfLiteParserPtr parser = armnnTfLiteParser::ITfLiteParser::Create();
        std::vector<uint8_t> bytes(model, model + model_len);
        network = parser->CreateNetworkFromBinary(bytes);
        if (parser->GetSubgraphCount() != 1) {
            set_error(err, err_len, "ArmNN's TfLiteParser supports exactly one subgraph");
            return EMBER_NN_UNSUPPORTED_OPERATION;
        }
        for (const std::string &name : parser->GetSubgraphInputTensorNames(0))
            inputs.push_back(parser->GetNetworkInputBindingInfo(0, name));
        for (const std::string &name : parser->GetSubgraphOutputTensorNames(0))
            outputs.push_back(parser->GetNetworkOutputBindingInfo(0, name));
    } catch (const armnn::ParseException &e) {
        set_error(err, err_len, e.what());
        return classify_parse_error(e.what());
    } catch (const armnn::Exception &e) {
        set_error(err, err_len, e.what());
        return EMBER_NN_INVALID_ARGUMENT;
    } catch (const std::bad_alloc &) {
        set_error(err, err_len, "out of memory while parsing the model");
        return EMBER_NN_RUNTIME_ERROR;
    } catch (const std::exception &e) {
        set_error(err, err_len, e.what());
        return EMBER_NN_RUNTIME_ERROR;
    } catch (...) {
        set_error(err, err_len, "unknown C++ exception while parsing the model");
        return EMBER_NN_RUNTIME_ERROR;
    }

    // Stage 2: optimize for the backends (a layer no backend supports fails here) and load.
    return guarded(err, err_len, EMBER_NN_UNSUPPORTED_OPERATION, [&]() -> uint32_t {
        std::vector<std::string> messages;
        armnn::IOptimizedNetworkPtr optimized =
            armnn::Optimize(*network, split_backends(backends), rt->runtime->GetDeviceSpec(),
                            armnn::OptimizerOptions(), armnn::Optional<std::vector<std::string> &>(messages));
        if (!optimized) {
            std::string msg = "ArmNN could not place the network on backends " + std::string(backends);
            for (const std::string &m : messages) msg += "; " + m;
            set_error(err, err_len, msg);
            return EMBER_NN_UNSUPPORTED_OPERATION;
        }
        armnn::NetworkId id = 0;
        std::string load_error;
        armnn::Status loaded;
        {
            std::lock_guard<std::mutex> load_guard(g_load_lock);
            loaded = rt->runtime->LoadNetwork(id, std::move(optimized), load_error);
        }
        if (loaded != armnn::Status::Success) {
            set_error(err, err_len, "ArmNN LoadNetwork failed: " + load_error);
            return EMBER_NN_RUNTIME_ERROR;
        }
        ember_armnn_net *net = new ember_armnn_net{rt->runtime.get(), id, std::move(inputs), std::move(outputs)};
        // The parser's binding infos describe the network as parsed; the loaded network's are
        // authoritative for buffer sizes.
        for (armnn::BindingPointInfo &b : net->inputs) b.second = rt->runtime->GetInputTensorInfo(id, b.first);
        for (armnn::BindingPointInfo &b : net->outputs) b.second = rt->runtime->GetOutputTensorInfo(id, b.first);
        *out = net;
        return EMBER_NN_SUCCESS;
    });
}

void ember_armnn_net_unload(ember_armnn_net *net) {
    if (net == nullptr) return;
    SharedGuard guard(g_fork_lock);
    try {
        std::lock_guard<std::mutex> load_guard(g_load_lock);
        net->runtime->UnloadNetwork(net->id);
    } catch (...) {
        // Nothing to report to; the bookkeeping below is freed regardless.
    }
    delete net;
}

uint32_t ember_armnn_net_num_inputs(const ember_armnn_net *net) {
    return static_cast<uint32_t>(net->inputs.size());
}

uint32_t ember_armnn_net_num_outputs(const ember_armnn_net *net) {
    return static_cast<uint32_t>(net->outputs.size());
}

uint32_t ember_armnn_net_tensor_desc(const ember_armnn_net *net, int is_output, uint32_t index,
                                     ember_armnn_tensor_desc *desc) {
    return guarded(nullptr, 0, EMBER_NN_RUNTIME_ERROR, [&]() -> uint32_t {
        const std::vector<armnn::BindingPointInfo> &list = is_output ? net->outputs : net->inputs;
        if (index >= list.size()) return EMBER_NN_INVALID_ARGUMENT;
        const armnn::TensorInfo &info = list[index].second;
        if (info.GetNumDimensions() > EMBER_ARMNN_MAX_DIMS) return EMBER_NN_UNSUPPORTED_OPERATION;
        std::memset(desc, 0, sizeof *desc);
        desc->kind = kind_of(info.GetDataType());
        desc->num_dims = info.GetNumDimensions();
        for (unsigned int i = 0; i < info.GetNumDimensions(); ++i) desc->dims[i] = info.GetShape()[i];
        desc->num_elements = info.GetNumElements();
        desc->num_bytes = info.GetNumBytes();
        // GetQuantizationScale asserts (aborts) on per-axis quantization: guard it.
        if (!info.HasMultipleQuantizationScales()) {
            desc->scale = info.GetQuantizationScale();
            desc->offset = info.GetQuantizationOffset();
        }
        return EMBER_NN_SUCCESS;
    });
}

static uint32_t net_run(ember_armnn_net *net, const void *const *inputs, void *const *outputs,
                        char *err, size_t err_len) {
    return guarded(err, err_len, EMBER_NN_RUNTIME_ERROR, [&]() -> uint32_t {
        armnn::InputTensors in;
        for (size_t i = 0; i < net->inputs.size(); ++i)
            in.emplace_back(net->inputs[i].first, armnn::ConstTensor(net->inputs[i].second, inputs[i]));
        armnn::OutputTensors out;
        for (size_t i = 0; i < net->outputs.size(); ++i)
            out.emplace_back(net->outputs[i].first, armnn::Tensor(net->outputs[i].second, outputs[i]));
        if (net->runtime->EnqueueWorkload(net->id, in, out) != armnn::Status::Success) {
            set_error(err, err_len, "ArmNN EnqueueWorkload failed");
            return EMBER_NN_RUNTIME_ERROR;
        }
        return EMBER_NN_SUCCESS;
    });
}

uint32_t ember_armnn_net_load(ember_armnn_rt *rt, const uint8_t *model, size_t model_len,
                              const char *backends, ember_armnn_net **out, char *err, size_t err_len) {
    SharedGuard guard(g_fork_lock);
    return net_load(rt, model, model_len, backends, out, err, err_len);
}

uint32_t ember_armnn_net_run(ember_armnn_net *net, const void *const *inputs, void *const *outputs,
                             char *err, size_t err_len) {
    SharedGuard guard(g_fork_lock);
    return net_run(net, inputs, outputs, err, err_len);
}

} // extern "C"

extern "C" uint32_t ember_armnn_net_probe(ember_armnn_rt *rt, const uint8_t *model, size_t model_len,
                                          const char *backends, int run, uint32_t timeout_ms, char *err, size_t err_len) {
    std::unique_lock<std::shared_timed_mutex> exclusive(g_fork_lock);
    pid_t pid = fork();
    if (pid != 0) exclusive.unlock(); // the child keeps its copy locked: it calls net_load/net_run, which do not lock
    if (pid < 0) {
        set_error(err, err_len, std::string("fork failed: ") + std::strerror(errno));
        return EMBER_NN_RUNTIME_ERROR;
    }
    if (pid == 0) {
        // Child: load (and run once), then leave without running any destructor or atexit handler.
        int status = 2;
        try {
            ember_armnn_net *net = nullptr;
            char ignored[16];
            if (backends == nullptr || backends[0] == '\0') {
                // Parse only (no backend that is safe to use in a forked child, see the header).
                armnnTfLiteParser::ITfLiteParserPtr parser = armnnTfLiteParser::ITfLiteParser::Create();
                parser->CreateNetworkFromBinary(std::vector<uint8_t>(model, model + model_len));
                _exit(0);
            }
            status = net_load(rt, model, model_len, backends, &net, ignored, sizeof ignored) == 0 ? 0 : 2;
            if (status == 0 && run) {
                std::vector<std::vector<uint8_t>> in(net->inputs.size()), out(net->outputs.size());
                std::vector<const void *> in_ptrs;
                std::vector<void *> out_ptrs;
                for (size_t i = 0; i < in.size(); ++i) {
                    in[i].assign(net->inputs[i].second.GetNumBytes(), 0);
                    in_ptrs.push_back(in[i].data());
                }
                for (size_t i = 0; i < out.size(); ++i) {
                    out[i].assign(net->outputs[i].second.GetNumBytes(), 0);
                    out_ptrs.push_back(out[i].data());
                }
                status = net_run(net, in_ptrs.data(), out_ptrs.data(), ignored, sizeof ignored) == 0 ? 0 : 2;
            }
        } catch (...) {
            status = 2;
        }
        _exit(status);
    }
    // Parent: wait for the child, at most timeout_ms.
    const long step_us = 2000;
    long waited_us = 0;
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            set_error(err, err_len, std::string("waitpid failed: ") + std::strerror(errno));
            return EMBER_NN_RUNTIME_ERROR;
        }
        if (waited_us / 1000 >= static_cast<long>(timeout_ms)) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            set_error(err, err_len, "ArmNN did not finish loading and running this model within " +
                                        std::to_string(timeout_ms) + " ms (in a probe process): refused");
            return EMBER_NN_INVALID_ARGUMENT;
        }
        struct timespec ts = {0, step_us * 1000};
        nanosleep(&ts, nullptr);
        waited_us += step_us;
    }
    if (WIFSIGNALED(status)) {
        set_error(err, err_len, std::string("ArmNN crashed (") + strsignal(WTERMSIG(status)) +
                                    ") loading this model in a probe process: the model is refused");
        return EMBER_NN_INVALID_ARGUMENT;
    }
    return EMBER_NN_SUCCESS;
}
