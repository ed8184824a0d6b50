// Command app-rename is the Lambda function of the portal route "app-rename".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-rename") }
