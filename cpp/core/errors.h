#pragma once
#include <exception>
#include <stdexcept>
#include <string>

namespace esrgan {

// What went wrong, as callers outside C++ see it (native/ hands it to Java, which maps each code to one
// exception class) and as the tile workers decide what to retry. The numbers cross JNI: never renumber.
enum class ErrorCode : int {
    Ok = 0,
    Model = 1,              // a model file is missing, malformed or inconsistent
    UnsupportedLayer = 2,   // a backend cannot run a layer of the model
    InvalidArgument = 3,    // bad options, image or device index
    Cancelled = 4,
    OutOfMemory = 5,        // host memory
    DeviceOutOfMemory = 6,  // a GPU's memory: a smaller tile may fit
    DeviceFailed = 7,       // a GPU failed otherwise (device lost, driver error)
    Backend = 8,            // a compute library failed (oneDNN)
    Internal = 9,
};

// Raised for anything wrong with a model file: the message names the file, line or layer.
class ModelError : public std::runtime_error {
public:
    explicit ModelError(const std::string& message) : std::runtime_error(message) {}
};

// A layer that a backend has no implementation for, found when the model is loaded onto it.
class UnsupportedLayer : public ModelError {
public:
    explicit UnsupportedLayer(const std::string& message) : ModelError(message) {}
};

// Raised for bad arguments to the runner (image size, options).
class InvalidArgument : public std::invalid_argument {
public:
    explicit InvalidArgument(const std::string& message) : std::invalid_argument(message) {}
};

// Raised when a job is cancelled between layers or tiles.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

// A failure inside a backend's device or library; the code says whether a smaller tile may help
// (DeviceOutOfMemory), the device is unusable (DeviceFailed) or a library failed (Backend).
class BackendError : public std::runtime_error {
public:
    BackendError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ErrorCode code() const { return code_; }

private:
    ErrorCode code_;
};

struct ErrorReport {
    ErrorCode code = ErrorCode::Ok;
    std::string message;  // for the user: what happened and, where there is one, what to do
};

// The code and user-facing message of an exception thrown by the runner (any exception).
ErrorReport describeError(std::exception_ptr error);

}  // namespace esrgan
