/* SPDX-License-Identifier: ISC */
/*
 * The tools file loader: any file loads or is refused, and a refusal
 * always writes its error (a file of null once printed stack bytes).
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;
static char	path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	fd;

	(void)argc;
	(void)argv;
	settings.max_reply = 1 << 20;
	log_init("fuzz_config", 0);
	/* In memory if there is a tmpfs: this target writes a file a run. */
	snprintf(path, sizeof(path), "/dev/shm/fuzz-config-XXXXXX");
	if ((fd = mkstemp(path)) == -1) {
		snprintf(path, sizeof(path), "/tmp/fuzz-config-XXXXXX");
		if ((fd = mkstemp(path)) == -1)
			abort();
	}
	close(fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toolset	 set;
	FILE		*f;
	char		 err[1024];

	if ((f = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	memset(err, 0x55, sizeof(err));	/* what an unset error would show */
	err[sizeof(err) - 1] = '\0';
	if (config_load(path, &set, err, sizeof(err)) == -1)
		FUZZ_ASSERT(err[0] != 0x55 && strlen(err) > 0 &&
		    strlen(err) < sizeof(err) - 1, "a refusal writes its error");
	toolset_clear(&set);
	return 0;
}
