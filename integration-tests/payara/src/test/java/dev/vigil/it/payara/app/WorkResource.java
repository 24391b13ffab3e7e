package dev.vigil.it.payara.app;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.TimeUnit;

/** The JAX-RS face of {@link AttachedWork}: from a request thread and from the server's managed executor. */
@Path("work")
@RequestScoped
@Produces(MediaType.TEXT_PLAIN)
public class WorkResource {

    @Inject
    AttachedWork work;

    @Resource
    ManagedExecutorService executor;

    @GET
    @Path("here")
    public String here() {
        return work.whereAmI();
    }

    @GET
    @Path("executor")
    public String viaExecutor() throws Exception {
        return executor.submit(work::whereAmI).get(60, TimeUnit.SECONDS);
    }

    @GET
    @Path("hold")
    public String hold(@QueryParam("seconds") int seconds) {
        return work.hold(seconds);
    }
}
