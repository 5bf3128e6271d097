package dev.kiln.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln domains ls | add | verify | rm}: a project's custom domains. */
@Command(name = "domains", mixinStandardHelpOptions = true,
        description = "Lists, adds, verifies and removes a project's custom domains.",
        subcommands = {DomainsCommand.Ls.class, DomainsCommand.Add.class, DomainsCommand.Verify.class, DomainsCommand.Rm.class},
        footerHeading = "%nExample:%n", footer = {"  kiln domains add www.example.com", "  kiln domains verify www.example.com"})
final class DomainsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: ls, add, verify or rm");
    }

    static List<Map<String, Object>> list(ProjectCommand command) {
        List<Map<String, Object>> domains = new ArrayList<>();
        command.client().get(command.projectPath() + "/domains").list().forEach(item -> domains.add(Json.object(item)));
        return domains;
    }

    /** A domain by its name or its id. */
    static Map<String, Object> find(ProjectCommand command, String domain) {
        String wanted = domain.trim().toLowerCase(Locale.ROOT);
        return list(command).stream()
                .filter(found -> wanted.equals(Json.string(found, "id")) || wanted.equalsIgnoreCase(Json.string(found, "domain")))
                .findFirst()
                .orElseThrow(() -> CliException.failed("no domain " + domain + " in project '" + command.project().get("slug")
                        + "': kiln domains ls lists them"));
    }

    static void printRecord(Output output, Map<String, Object> domain) {
        output.note("Add this DNS TXT record, then run kiln domains verify " + domain.get("domain") + ":");
        String record = Json.string(domain, "verification_record");
        output.note("  " + (record != null ? record : "_kiln-verification." + domain.get("domain")) + "  TXT  "
                + domain.get("verification_token"));
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the project's domains.",
            footerHeading = "%nExample:%n", footer = "  kiln domains ls --json")
    static final class Ls extends ProjectCommand {
        @Override
        int run() {
            List<Map<String, Object>> domains = list(this);
            output.show(domains, () -> {
                List<List<String>> rows = new ArrayList<>();
                domains.forEach(domain -> rows.add(List.of(Json.string(domain, "id"), Json.string(domain, "domain"),
                        Boolean.TRUE.equals(domain.get("is_verified")) ? output.green("verified") : output.yellow("pending"),
                        Boolean.TRUE.equals(domain.get("is_verified")) ? "-" : String.valueOf(domain.get("verification_token")))));
                if (rows.isEmpty()) {
                    output.note("No domains: kiln domains add DOMAIN");
                }
                output.table(List.of("ID", "DOMAIN", "STATE", "VERIFICATION TOKEN"), rows);
            });
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a domain and shows the DNS record that verifies it.",
            footerHeading = "%nExample:%n", footer = "  kiln domains add www.example.com")
    static final class Add extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The host name.")
        String domain;

        @Option(names = "--verified", description = "Skip verification (admin tokens only).")
        boolean verified;

        @Override
        int run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("domain", domain);
            if (verified) {
                body.put("verified", true);
            }
            Map<String, Object> added = client().post(projectPath() + "/domains", body).object();
            output.show(added, () -> {
                output.note("Added " + added.get("domain") + " to " + project().get("slug"));
                if (!Boolean.TRUE.equals(added.get("is_verified"))) {
                    printRecord(output, added);
                }
            });
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Checks the domain's DNS TXT record.",
            footerHeading = "%nExample:%n", footer = "  kiln domains verify www.example.com")
    static final class Verify extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain, by name or id.")
        String domain;

        @Override
        int run() {
            Map<String, Object> found = find(this, domain);
            Map<String, Object> verified;
            try {
                verified = client().post(projectPath() + "/domains/" + found.get("id") + "/verify", null).object();
            } catch (ApiError e) {
                if (e.status() == 422) {
                    throw CliException.failed(found.get("domain") + " is not verified yet: " + e.serverMessage()
                            + ": add the TXT record _kiln-verification." + found.get("domain") + " = " + found.get("verification_token")
                            + " and try again once DNS has it");
                }
                throw e;
            }
            output.show(verified, () -> output.note("Verified " + verified.get("domain") + ": it serves " + project().get("slug")));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Removes a domain.",
            footerHeading = "%nExample:%n", footer = "  kiln domains rm www.example.com")
    static final class Rm extends ProjectCommand {

        @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain, by name or id.")
        String domain;

        @Override
        int run() {
            Map<String, Object> found = find(this, domain);
            client().delete(projectPath() + "/domains/" + found.get("id"));
            output.show(found, () -> output.note("Removed " + found.get("domain") + " from " + project().get("slug")));
            return 0;
        }
    }
}
