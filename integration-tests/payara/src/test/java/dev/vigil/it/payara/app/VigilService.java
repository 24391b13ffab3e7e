package dev.vigil.it.payara.app;

import dev.vigil.cdi.Attached;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Stereotype;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A stereotype carrying {@link Attached}: its beans' methods run attached to the main interpreter. */
@Stereotype
@Attached
@ApplicationScoped
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface VigilService {
}
