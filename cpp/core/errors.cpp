#include "core/errors.h"

#include <new>

namespace esrgan {

ErrorReport describeError(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const UnsupportedLayer& e) {
        return {ErrorCode::UnsupportedLayer, e.what()};
    } catch (const ModelError& e) {
        return {ErrorCode::Model, e.what()};
    } catch (const InvalidArgument& e) {
        return {ErrorCode::InvalidArgument, e.what()};
    } catch (const Cancelled&) {
        return {ErrorCode::Cancelled, "the upscale was cancelled"};
    } catch (const BackendError& e) {
        if (e.code() == ErrorCode::DeviceOutOfMemory)
            return {e.code(), std::string("the GPU ran out of memory (") + e.what() + "): use a smaller tile size (-t)"};
        return {e.code(), e.what()};
    } catch (const std::bad_alloc&) {
        return {ErrorCode::OutOfMemory, "out of memory: use a smaller tile size"};
    } catch (const std::exception& e) {
        return {ErrorCode::Internal, e.what()};
    } catch (...) {
        return {ErrorCode::Internal, "unknown error"};
    }
}

}  // namespace esrgan
