#pragma once
#include <stdexcept>
#include <string>

namespace esrgan {

// Raised for anything wrong with a model file: the message names the file, line or layer.
class ModelError : public std::runtime_error {
public:
    explicit ModelError(const std::string& message) : std::runtime_error(message) {}
};

// Raised for bad arguments to the runner (image size, options).
class InvalidArgument : public std::invalid_argument {
public:
    explicit InvalidArgument(const std::string& message) : std::invalid_argument(message) {}
};

// Raised when a job is cancelled between tiles.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace esrgan
