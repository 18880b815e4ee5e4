/* SPDX-License-Identifier: ISC */
/*
 * Resources, resource templates and prompts: the tools file's entries of
 * another "kind" (catalog.c reads and switches them; catalog_rpc.c serves
 * them). A coded one runs as a tool of its kind, named by catalog_tool_name
 * ("prompt:NAME", "resource:NAME", "template:NAME", and
 * "complete:prompt:NAME:ARG" for a completion function), in its own
 * workers like any tool, never listed or called as a tool. After
 * mcp-hotd.h.
 */
#ifndef CATALOG_H
#define CATALOG_H

/* Which changed at a switch, for catalog_notes. */
#define CATALOG_PROMPTS		0x01
#define CATALOG_RESOURCES	0x02

/* catalog_file.c */
int		 catalog_read(struct json_object *, struct json_object *,
		    struct json_object **, struct json_object **, char *, size_t,
		    char *, size_t);
void		 catalog_read_drop(struct json_object *, const char *);
const char	*catalog_str(struct json_object *, const char *);

/* catalog.c */
void		 catalog_want(struct json_object *);
void		 catalog_switch(int);
void		 catalog_clear(void);
struct json_object *catalog_entries(void);
struct json_object *catalog_find(const char *, const char *, const char *);
struct tool	*catalog_tool(struct json_object *, const char *);
int		 catalog_visible(const struct mcp_state *, struct json_object *);
struct json_object *catalog_notes(const struct mcp_state *, unsigned,
		    struct json_object *);
struct json_object *catalog_counts(void);

/* catalog_rpc.c */
int		 catalog_method(const struct mcp_state *, const struct jdoc *,
		    int);
enum mcp_action	 catalog_handle(struct mcp_state *, const struct mcp_request *,
		    struct json_object **, struct json_object **,
		    struct mcp_call *);
char		*catalog_render(const struct tool *, const char *, int,
		    const char *, size_t, size_t *, int *, char *, size_t);
const char	*catalog_method_of(enum entry_kind);
void		 catalog_capabilities(struct json_object *, int);

#endif /* CATALOG_H */
