// Errors of registry operations: a kind the API maps to an AWS error shape (api/error_mapping.cpp
// is the one place that does), a human message, and the resource ids AWS adds for conflicts.
#pragma once
#include <string>

#include "util/result.hpp"

namespace trustlane::iot {

enum class ErrorKind {
  InvalidRequest,
  ResourceNotFound,
  ResourceAlreadyExists,
  CertificateValidation,
  CertificateState,
  CertificateConflict,
  RegistrationCodeValidation,
  DeleteConflict,
  MalformedPolicy,
  VersionsLimitExceeded,
  LimitExceeded,
  VersionConflict,
  InternalFailure,
};

struct Error {
  ErrorKind kind;
  std::string message;
  std::string resource_id;   // ResourceAlreadyExists only
  std::string resource_arn;  // ResourceAlreadyExists only
};

template <class T>
using Outcome = Result<T, Error>;

struct Done {};  // the value of operations that return nothing

inline Failure<Error> error(ErrorKind kind, std::string message) { return fail(Error{kind, std::move(message), {}, {}}); }

}  // namespace trustlane::iot
