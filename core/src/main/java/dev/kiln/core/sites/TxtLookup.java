package dev.kiln.core.sites;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Looks up TXT records through the JDK's DNS client: the system's resolvers, or one server
 * ({@code dns.server}: {@code host} or {@code host:port}).
 */
public final class TxtLookup {

    /** The setting naming a DNS server to ask instead of the system's. */
    public static final String SERVER_SETTING = "dns.server";

    private final String server;

    /**
     * A lookup.
     *
     * @param server {@code host[:port]}, or null for the system's resolvers
     */
    public TxtLookup(String server) {
        this.server = server == null || server.isBlank() ? null : server.trim();
    }

    /**
     * The TXT strings of a name. Blocking.
     *
     * @param name the DNS name
     * @return the strings, without quotes; empty when the name has none or does not exist
     * @throws NamingException when the DNS could not be asked
     */
    public List<String> lookup(String name) throws NamingException {
        Hashtable<String, String> environment = new Hashtable<>();
        environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        environment.put(Context.PROVIDER_URL, server == null ? "dns:" : "dns://" + server);
        environment.put("com.sun.jndi.dns.timeout.initial", "2000");
        environment.put("com.sun.jndi.dns.timeout.retries", "2");
        List<String> values = new ArrayList<>();
        DirContext context = new InitialDirContext(environment);
        try {
            Attributes attributes = context.getAttributes(name, new String[] {"TXT"});
            Attribute txt = attributes.get("TXT");
            if (txt != null) {
                NamingEnumeration<?> all = txt.getAll();
                while (all.hasMore()) {
                    values.add(unquote(String.valueOf(all.next())));
                }
            }
        } catch (NameNotFoundException e) {
            return List.of();
        } finally {
            context.close();
        }
        return values;
    }

    private static String unquote(String value) {
        // A TXT record of several strings arrives as "a" "b": the value is their concatenation.
        String trimmed = value.trim();
        if (!trimmed.startsWith("\"")) {
            return trimmed;
        }
        StringBuilder joined = new StringBuilder();
        for (String part : trimmed.split("\"\\s*\"")) {
            joined.append(part.replace("\"", ""));
        }
        return joined.toString();
    }
}
