package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code Allow} header of a 405 (RFC 9110 §15.5.6), read from the HTTP contract the service
 * serves ({@code META-INF/openapi.yaml}). RESTEasy Reactive refuses the method but does not say
 * which ones the path has; OpenApiContractTest keeps the contract and the resources in step, so
 * the contract is the one list of methods per path.
 */
final class AllowedMethods {

    private static final List<Route> ROUTES = load();

    private record Route(Pattern path, String allow) {
    }

    private AllowedMethods() {
    }

    /** The methods {@code path} answers, e.g. {@code "GET, PUT"}; empty for an unknown path. */
    static Optional<String> of(String path) {
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return ROUTES.stream().filter(r -> r.path().matcher(normalized).matches()).map(Route::allow).findFirst();
    }

    private static List<Route> load() {
        try (InputStream in = AllowedMethods.class.getClassLoader().getResourceAsStream("META-INF/openapi.yaml")) {
            if (in == null) {
                return List.of();
            }
            JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(in).path("paths");
            List<Route> routes = new ArrayList<>();
            for (Iterator<String> names = paths.fieldNames(); names.hasNext(); ) {
                String template = names.next();
                TreeSet<String> methods = new TreeSet<>();
                for (Iterator<String> keys = paths.get(template).fieldNames(); keys.hasNext(); ) {
                    String key = keys.next().toUpperCase(Locale.ROOT);
                    if (List.of("GET", "PUT", "POST", "DELETE", "PATCH").contains(key)) {
                        methods.add(key);
                    }
                }
                if (methods.contains("GET")) {
                    methods.add("HEAD");
                }
                routes.add(new Route(Pattern.compile(toRegex(template)), String.join(", ", methods)));
            }
            return List.copyOf(routes);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read META-INF/openapi.yaml", e);
        }
    }

    /** {@code /v1/reservations/{id}/commit} → {@code /v1/reservations/[^/]+/commit}, literal elsewhere. */
    private static String toRegex(String template) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") && part.endsWith("}") ? "[^/]+" : Pattern.quote(part));
        }
        return regex.toString();
    }
}
