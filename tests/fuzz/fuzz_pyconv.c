/* SPDX-License-Identifier: ISC */
/*
 * The worker's JSON <-> Python conversion: any text parses or raises;
 * what parses is written back as JSON the supervisor's parser accepts (or
 * refused with a reason: Infinity is not JSON), and reads back equal.
 */
#include "config.h"

#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "../../workers/pyconv.h"
#include "fuzz.h"

struct supervisor sv;

/* CPython's own allocations live as long as the interpreter. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	PyConfig	config;

	(void)argc;
	(void)argv;
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	if (PyStatus_Exception(Py_InitializeFromConfig(&config)))
		abort();
	PyConfig_Clear(&config);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pybuf	 out;
	static struct jdoc	 d;
	PyObject		*o, *back;
	const char		*why;
	char			 err[256] = "";
	size_t			 at;

	if ((o = pyconv_parse((const char *)data, size)) == NULL) {
		FUZZ_ASSERT(PyErr_Occurred() != NULL, "a refusal raises");
		PyErr_Clear();
		return 0;
	}
	out.len = 0;
	if (pyconv_dump(&out, o, err, sizeof(err)) == -1) {
		FUZZ_ASSERT(err[0] != '\0', "a value not written says why");
		PyErr_Clear();
		Py_DECREF(o);
		return 0;
	}
	FUZZ_ASSERT(jdoc_parse(&d, out.p, out.len, 0, &why, &at) == 0,
	    "what the worker writes, the supervisor reads");
	jdoc_trim(&d);
	back = pyconv_parse(out.p, out.len);
	FUZZ_ASSERT(back != NULL && PyObject_RichCompareBool(o, back, Py_EQ) ==
	    1, "it reads back equal");
	Py_DECREF(back);
	Py_DECREF(o);
	return 0;
}
