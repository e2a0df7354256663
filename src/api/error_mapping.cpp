#include "api/api_error.hpp"

namespace trustlane::api {

ApiError to_api_error(const iot::Error& e) {
  using K = iot::ErrorKind;
  auto make = [&](int status, const char* type) { return ApiError{status, type, e.message, nlohmann::json::object()}; };
  switch (e.kind) {
    case K::InvalidRequest: return make(400, "InvalidRequestException");
    case K::ResourceNotFound: return make(404, "ResourceNotFoundException");
    case K::ResourceAlreadyExists: {
      auto err = make(409, "ResourceAlreadyExistsException");
      if (!e.resource_id.empty()) err.members["resourceId"] = e.resource_id;
      if (!e.resource_arn.empty()) err.members["resourceArn"] = e.resource_arn;
      return err;
    }
    case K::CertificateValidation: return make(400, "CertificateValidationException");
    case K::CertificateState: return make(406, "CertificateStateException");
    case K::CertificateConflict: return make(409, "CertificateConflictException");
    case K::RegistrationCodeValidation: return make(400, "RegistrationCodeValidationException");
    case K::DeleteConflict: return make(409, "DeleteConflictException");
    case K::MalformedPolicy: return make(400, "MalformedPolicyException");
    case K::VersionsLimitExceeded: return make(409, "VersionsLimitExceededException");
    case K::LimitExceeded: return make(410, "LimitExceededException");
    case K::VersionConflict: return make(409, "VersionConflictException");
    case K::InternalFailure: return make(500, "InternalFailureException");
  }
  return make(500, "InternalFailureException");
}

HttpResponse error_response(const ApiError& error, const std::string& request_id) {
  HttpResponse r;
  r.status = error.status;
  nlohmann::json body = error.members.is_object() ? error.members : nlohmann::json::object();
  body["message"] = error.message;
  // Messages may echo request bytes that are not UTF-8: replace them rather than throw.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers = {{"content-type", "application/json"}, {"x-amzn-errortype", error.type},
               {"x-amzn-requestid", request_id}};
  return r;
}

}  // namespace trustlane::api
