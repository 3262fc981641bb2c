#include "python/errors.hpp"

#include <Python.h>

#include <string>

namespace nb = nanobind;

namespace spymaster::python {
namespace {

// Created once at import and kept for the life of the process (translators run after module teardown
// would otherwise see freed types).
PyObject* usage_error = nullptr;
PyObject* data_error = nullptr;
PyObject* io_error = nullptr;

PyObject* NewError(nb::module_& m, const char* name, PyObject* bases, const char* doc) {
  const std::string qualified = std::string("spymaster.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (type == nullptr) throw nb::python_error();
  m.attr(name) = nb::borrow(type);
  return type;
}

}  // namespace

void RegisterErrors(nb::module_& m) {
  PyObject* base = NewError(m, "Error", PyExc_Exception, "A spymaster command failed; the message is the CLI's.");
  const nb::object usage_bases = nb::make_tuple(nb::handle(base), nb::handle(PyExc_ValueError));
  const nb::object data_bases = nb::make_tuple(nb::handle(base), nb::handle(PyExc_RuntimeError));
  const nb::object io_bases = nb::make_tuple(nb::handle(base), nb::handle(PyExc_OSError));
  usage_error = NewError(m, "UsageError", usage_bases.ptr(), "A bad argument (the CLI exits 2); the message names it.");
  data_error = NewError(m, "DataError", data_bases.ptr(), "Malformed or missing input data (the CLI exits 1).");
  io_error = NewError(m, "IoError", io_bases.ptr(), "The system failed a read, write or rename (the CLI exits 1).");
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      PyObject* type = e.kind() == ErrorKind::kUsage ? usage_error : e.kind() == ErrorKind::kIo ? io_error : data_error;
      PyErr_SetString(type, e.what());
    }
  });
}

}  // namespace spymaster::python
