package dev.vigil.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.enterprise.inject.Stereotype;
import jakarta.interceptor.InvocationContext;
import java.lang.annotation.Annotation;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How {@link AttachedNames} finds the {@code @Attached} binding without the EE 11-only
 * {@code InvocationContext.getInterceptorBinding}: the container's resolved bindings first
 * (Weld's context data), else the annotations as CDI resolves them — method over class,
 * stereotypes (nested), the class hierarchy (a container-made subclass as the target). Real
 * Weld always takes the first path (integration-tests/cdi, cdi-ee10, payara); this covers the
 * second, which containers without that context-data key take.
 */
class AttachedNamesTest {

    @Stereotype
    @Attached("from-stereotype")
    @Retention(RetentionPolicy.RUNTIME)
    @interface Service {
    }

    @Stereotype
    @Service
    @Retention(RetentionPolicy.RUNTIME)
    @interface NestedService {
    }

    @Attached("class")
    static class ClassLevel {
        public void inherited() {
        }

        @Attached("method")
        public void own() {
        }
    }

    /** As a container's interception subclass of the bean class is. */
    static class ClassLevel$Subclass extends ClassLevel {
    }

    @Service
    static class ByStereotype {
        public void run() {
        }
    }

    @NestedService
    static class ByNestedStereotype {
        public void run() {
        }
    }

    static class Unbound {
        public void run() {
        }
    }

    @Attached("weld")
    static class WeldBinding {
    }

    @Test
    void theContainersResolvedBindingsWin() throws Exception {
        Map<String, Object> data = new HashMap<>();
        data.put(AttachedNames.WELD_BINDINGS, Set.<Annotation>of(WeldBinding.class.getAnnotation(Attached.class)));
        assertThat(new AttachedNames().of(call(new ClassLevel(), "own", data))).isEqualTo("weld");
    }

    @Test
    void aMethodBindingWinsOverTheClass() throws Exception {
        assertThat(new AttachedNames().of(call(new ClassLevel$Subclass(), "own", Map.of()))).isEqualTo("method");
    }

    @Test
    void aClassBindingIsFoundFromAContainerSubclass() throws Exception {
        assertThat(new AttachedNames().of(call(new ClassLevel$Subclass(), "inherited", Map.of()))).isEqualTo("class");
    }

    @Test
    void stereotypesCarryTheBinding_alsoNested() throws Exception {
        assertThat(new AttachedNames().of(call(new ByStereotype(), "run", Map.of()))).isEqualTo("from-stereotype");
        assertThat(new AttachedNames().of(call(new ByNestedStereotype(), "run", Map.of()))).isEqualTo("from-stereotype");
    }

    @Test
    void noBinding_isAClearError() throws Exception {
        assertThatThrownBy(() -> new AttachedNames().of(call(new Unbound(), "run", Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Unbound.run").hasMessageContaining("carries no @Attached binding");
    }

    private static InvocationContext call(Object target, String method, Map<String, Object> contextData) throws Exception {
        Method m = target.getClass().getMethod(method);
        Map<String, Object> data = new HashMap<>(contextData);
        return new InvocationContext() {
            @Override public Object getTarget() { return target; }
            @Override public Object getTimer() { return null; }
            @Override public Method getMethod() { return m; }
            @Override public Constructor<?> getConstructor() { return null; }
            @Override public Object[] getParameters() { return new Object[0]; }
            @Override public void setParameters(Object[] params) { }
            @Override public Map<String, Object> getContextData() { return data; }
            @Override public Object proceed() { return null; }
        };
    }
}
