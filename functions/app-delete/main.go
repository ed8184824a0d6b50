// Command app-delete is the Lambda function of the portal route "app-delete".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("app-delete") }
